package zohoapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

type minUser struct {
	Name string      `json:"name"`
	ID   crmguard.ID `json:"id"`
}

type defaultView struct {
	DisplayLabel string `json:"display_label"`
	Name         string `json:"name"`
	Type         string `json:"type"`
}

// profileJSON is a profile as GET /settings/profiles answers it
// (https://www.zoho.com/crm/developer/docs/api/v8/get-profiles.html);
// permissions and sections only on the single GET.
type profileJSON struct {
	DisplayLabel       string           `json:"display_label"`
	CreatedTime        *string          `json:"created_time"`
	ModifiedTime       *string          `json:"modified_time"`
	PermissionsDetails []permissionJSON `json:"permissions_details,omitempty"`
	Name               string           `json:"name"`
	ModifiedBy         *minUser         `json:"modified_by"`
	DefaultView        defaultView      `json:"_default_view"`
	Default            bool             `json:"default"`
	Description        *string          `json:"description"`
	ID                 crmguard.ID      `json:"id"`
	Category           bool             `json:"category"`
	CreatedBy          *minUser         `json:"created_by"`
	Sections           []sectionJSON    `json:"sections,omitempty"`
	Type               string           `json:"type"`
	Custom             bool             `json:"custom"`
	Delete             bool             `json:"_delete"`
	PermissionType     string           `json:"permission_type"`
}

type permissionJSON struct {
	DisplayLabel string      `json:"display_label"`
	Module       *string     `json:"module"`
	Name         string      `json:"name"`
	ID           crmguard.ID `json:"id"`
	Enabled      bool        `json:"enabled"`
}

type categoryJSON struct {
	DisplayLabel       string        `json:"display_label"`
	PermissionsDetails []crmguard.ID `json:"permissions_details"`
	Name               string        `json:"name"`
	Module             *string       `json:"module,omitempty"`
}

type sectionJSON struct {
	Name       string         `json:"name"`
	Categories []categoryJSON `json:"categories"`
}

// profileView renders a profile; names are the users referenced, perms the
// org's permission IDs (nil for the list form).
func profileView(p *crmguard.Profile, loc *time.Location, names map[crmguard.ID]string, perms []crmguard.ID) profileJSON {
	ref := func(id crmguard.ID) *minUser {
		if id == 0 {
			return nil
		}
		return &minUser{Name: names[id], ID: id}
	}
	j := profileJSON{DisplayLabel: p.DisplayLabel, Name: p.Name, Default: p.Default, Description: str(p.Description),
		ID: p.ID, Type: p.Type, Custom: p.Custom, Delete: p.Custom, PermissionType: "read_write",
		DefaultView: defaultView{DisplayLabel: "Users", Name: "Users", Type: "module"}}
	// Built-ins show no creator or creation time, as Zoho's do.
	if p.Custom {
		j.CreatedBy, j.CreatedTime = ref(p.CreatedBy), formatTime(p.CreatedTime, loc)
	}
	if p.Custom || p.ModifiedBy != 0 {
		j.ModifiedBy, j.ModifiedTime = ref(p.ModifiedBy), formatTime(p.ModifiedTime, loc)
	}
	if perms == nil {
		return j
	}
	j.PermissionsDetails = make([]permissionJSON, len(crmguard.Catalogue))
	var sections []sectionJSON
	for i, d := range crmguard.Catalogue {
		j.PermissionsDetails[i] = permissionJSON{DisplayLabel: d.DisplayLabel, Module: str(d.Module), Name: d.Name,
			ID: perms[i], Enabled: p.Permissions.HasIndex(i)}
		if len(sections) == 0 || sections[len(sections)-1].Name != d.Section {
			sections = append(sections, sectionJSON{Name: d.Section})
		}
		sec := &sections[len(sections)-1]
		if n := len(sec.Categories); n == 0 || sec.Categories[n-1].Name != d.Category {
			sec.Categories = append(sec.Categories, categoryJSON{DisplayLabel: d.CategoryName, Name: d.Category, Module: str(d.Module)})
		}
		cat := &sec.Categories[len(sec.Categories)-1]
		cat.PermissionsDetails = append(cat.PermissionsDetails, perms[i])
	}
	j.Sections = sections
	return j
}

// profileNames returns the names of the users profiles reference.
func (a *API) profileNames(r *http.Request, org crmguard.ID, ps []*crmguard.Profile) (map[crmguard.ID]string, error) {
	var ids []crmguard.ID
	for _, p := range ps {
		ids = append(ids, p.CreatedBy, p.ModifiedBy)
	}
	return a.svc.UserNames(r.Context(), org, dedupe(ids))
}

// listProfiles answers GET /settings/profiles.
func (a *API) listProfiles(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	if s := query(r, "include_lite_profile"); s != "" {
		if _, err := strconv.ParseBool(s); err != nil {
			return paramErr("include_lite_profile", s, crmguard.Details{"expected_data_type": "boolean"})
		}
	}
	ims, err := ifModifiedSince(r)
	if err != nil {
		return err
	}
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	ps, err := a.svc.ListProfiles(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	if !ims.IsZero() {
		newer := ps[:0]
		for _, pr := range ps {
			if pr.ModifiedTime.Truncate(time.Second).After(ims) {
				newer = append(newer, pr)
			}
		}
		if len(newer) == 0 {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		ps = newer
	}
	names, err := a.profileNames(r, p.OrgID, ps)
	if err != nil {
		return err
	}
	out := make([]profileJSON, len(ps))
	for i, pr := range ps {
		out[i] = profileView(pr, m.loc, names, nil)
	}
	type info struct {
		LicenseLimit int `json:"license_limit"`
	}
	return web.WriteJSON(w, http.StatusOK, struct {
		Profiles []profileJSON `json:"profiles"`
		Info     info          `json:"info"`
	}{out, info{a.svc.Config().MaxProfiles}})
}

// getProfile answers GET /settings/profiles/{id}, with permissions_details
// and sections.
func (a *API) getProfile(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pr, err := a.svc.GetProfile(r.Context(), p.OrgID, id)
	if err != nil {
		return err
	}
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	perms, err := a.svc.PermissionIDs(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	names, err := a.profileNames(r, p.OrgID, []*crmguard.Profile{pr})
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, map[string][]profileJSON{"profiles": {profileView(pr, m.loc, names, perms)}})
}

// profileBody reads {"profiles":[{...}]} with exactly one record.
func profileBody(r *http.Request) (map[string]json.RawMessage, error) {
	recs, err := recordsBody(r, "profiles", 1, "required field not found")
	if err != nil {
		return nil, err
	}
	if recs[0] == nil {
		return nil, notObject("profiles", 0)
	}
	return recs[0], nil
}

// profileText reads an optional string member of a profile record.
func profileText(rec map[string]json.RawMessage, key string) (*string, error) {
	raw, ok := rec[key]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": key, "json_path": "$.profiles[0]." + key, "expected_data_type": "text"})
	}
	return &s, nil
}

// profileInput decodes name, description and (for updates) the
// permissions_details items, each needing id and enabled.
func profileInput(rec map[string]json.RawMessage, withPerms bool) (service.ProfileInput, error) {
	var in service.ProfileInput
	var err error
	if in.Name, err = profileText(rec, "name"); err != nil {
		return in, err
	}
	if in.Description, err = profileText(rec, "description"); err != nil {
		return in, err
	}
	raw, ok := rec["permissions_details"]
	if !withPerms || !ok {
		return in, nil
	}
	var items []map[string]json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return in, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": "permissions_details",
			"json_path": "$.profiles[0].permissions_details", "expected_data_type": "jsonarray"})
	}
	for i, it := range items {
		path := "$.profiles[0].permissions_details[" + strconv.Itoa(i) + "]"
		for _, k := range []string{"id", "enabled"} {
			if v, ok := it[k]; !ok || isNull(v) {
				return in, crmguard.NewError(crmguard.CodeMandatoryNotFound, "required field not found", crmguard.Details{
					"api_name": k, "json_path": path + "." + k, "parent_api_name": "permissions_details", "index": i})
			}
		}
		var id crmguard.ID
		if json.Unmarshal(it["id"], &id) != nil {
			return in, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": "id", "json_path": path + ".id", "expected_data_type": "bigint"})
		}
		var on bool
		if json.Unmarshal(it["enabled"], &on) != nil {
			return in, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": "enabled", "json_path": path + ".enabled", "expected_data_type": "boolean"})
		}
		in.Permissions = append(in.Permissions, service.PermissionChange{ID: id, Enabled: on})
	}
	return in, nil
}

func requireManageProfiles(p *crmguard.Principal, msg string) error {
	return requirePerm(p, crmguard.PermManageProfiles, msg)
}

// profileWriteError answers a clone or update that failed: in the
// per-record answer, or for the request, as recordError sorts it. Zoho
// answers a clone whose name is taken with 404, not 400.
func profileWriteError(w http.ResponseWriter, err error, clone bool) error {
	e, err := recordError(err, false, recordPath("profiles", 0))
	if e == nil {
		return err
	}
	status := e.HTTPStatus()
	if clone && e.Code == crmguard.CodeDuplicateData {
		status = http.StatusNotFound
	}
	return writeRecords(w, status, "profiles", failure(e))
}

// cloneProfile answers POST /settings/profiles/{id}/actions/clone.
func (a *API) cloneProfile(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := requireManageProfiles(p, "You do not have permission to create a profile"); err != nil {
		return err
	}
	rec, err := profileBody(r)
	if err != nil {
		return err
	}
	in, err := profileInput(rec, false)
	if err != nil {
		return profileWriteError(w, err, true)
	}
	pr, err := a.svc.CloneProfile(r.Context(), a.actor(r, p), id, in)
	if err != nil {
		return profileWriteError(w, err, true)
	}
	return writeRecords(w, http.StatusCreated, "profiles", success(pr.ID, "profile created successfully"))
}

// updateProfile answers PUT /settings/profiles/{id}.
func (a *API) updateProfile(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := requireManageProfiles(p, "permission denied"); err != nil {
		return err
	}
	rec, err := profileBody(r)
	if err != nil {
		return err
	}
	in, err := profileInput(rec, true)
	if err != nil {
		return profileWriteError(w, err, false)
	}
	if in.Name == nil && in.Description == nil && rec["permissions_details"] == nil {
		return profileWriteError(w, crmguard.NewError(crmguard.CodeMandatoryNotFound, "required field not found",
			crmguard.Details{"api_name": "permissions_details", "json_path": "$.profiles[0].permissions_details"}), false)
	}
	pr, err := a.svc.UpdateProfile(r.Context(), a.actor(r, p), id, in)
	if err != nil {
		return profileWriteError(w, err, false)
	}
	return writeRecords(w, http.StatusOK, "profiles", success(pr.ID, "profile updated successfully"))
}

// deleteProfile answers DELETE /settings/profiles/{id}?transfer_to=: the
// users move first. The success body is not wrapped in an array.
func (a *API) deleteProfile(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := requireManageProfiles(p, "permission denied"); err != nil {
		return err
	}
	to, err := requiredID(r, "transfer_to")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteProfile(r.Context(), a.actor(r, p), id, to); err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, web.Envelope{Code: "SUCCESS", Details: crmguard.Details{}, Message: "Profile deleted", Status: "success"})
}
