package zohoapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// roleJSON is a role as GET /settings/roles answers it
// (https://www.zoho.com/crm/developer/docs/api/v8/get-roles.html).
type roleJSON struct {
	DisplayLabel    string      `json:"display_label"`
	ForecastManager *minUser    `json:"forecast_manager"`
	ShareWithPeers  bool        `json:"share_with_peers"`
	ModifiedBy      *minUser    `json:"modified_by__s"`
	Description     *string     `json:"description"`
	ID              crmguard.ID `json:"id"`
	ReportingTo     *minUser    `json:"reporting_to"`
	Name            string      `json:"name"`
	CreatedBy       *minUser    `json:"created_by__s"`
	CreatedTime     *string     `json:"created_time__s"`
	ModifiedTime    *string     `json:"modified_time__s"`
	AdminUser       bool        `json:"admin_user"`
}

func (a *API) writeRoles(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, roles []*crmguard.Role) error {
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	var ids []crmguard.ID
	for _, ro := range roles {
		ids = append(ids, ro.CreatedBy, ro.ModifiedBy, ro.ForecastManager)
	}
	names, err := a.svc.UserNames(r.Context(), p.OrgID, dedupe(ids))
	if err != nil {
		return err
	}
	user := func(id crmguard.ID) *minUser {
		if id == 0 {
			return nil
		}
		return &minUser{Name: names[id], ID: id}
	}
	loc := m.loc
	out := make([]roleJSON, len(roles))
	for i, ro := range roles {
		j := roleJSON{DisplayLabel: ro.DisplayLabel, ForecastManager: user(ro.ForecastManager), ShareWithPeers: ro.ShareWithPeer,
			ModifiedBy: user(ro.ModifiedBy), Description: str(ro.Description), ID: ro.ID, Name: ro.Name,
			CreatedBy: user(ro.CreatedBy), AdminUser: ro.AdminUser}
		if ro.CreatedBy != 0 {
			j.CreatedTime = formatTime(ro.CreatedTime, loc)
		}
		if ro.ModifiedBy != 0 {
			j.ModifiedTime = formatTime(ro.ModifiedTime, loc)
		}
		if ro.ReportingTo != 0 {
			j.ReportingTo = &minUser{Name: m.roles[ro.ReportingTo], ID: ro.ReportingTo}
		}
		out[i] = j
	}
	return web.WriteJSON(w, http.StatusOK, map[string][]roleJSON{"roles": out})
}

// listRoles answers GET /settings/roles: every role, no info.
func (a *API) listRoles(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	roles, err := a.svc.ListRoles(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	return a.writeRoles(w, r, p, roles)
}

// getRole answers GET /settings/roles/{id}.
func (a *API) getRole(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ro, err := a.svc.GetRole(r.Context(), p.OrgID, id)
	if err != nil {
		return unknownRole(err)
	}
	return a.writeRoles(w, r, p, []*crmguard.Role{ro})
}

// unknownRole answers an unknown role ID in the URL with the details of
// InvalidUrlDetails in Zoho's OpenAPI file for roles
// (https://github.com/zoho/crm-oas/blob/main/v8.0/roles.json), which
// requires resource_path_index, the ID's place among the URL's path
// parameters; none of its error shapes has empty details. An unknown user
// ID answers the same way.
func unknownRole(err error) error {
	if ce, ok := crmguard.AsError(err); ok && ce == service.ErrInvalidRoleID {
		return crmguard.NewError(ce.Code, ce.Message, crmguard.Details{"resource_path_index": 0})
	}
	return err
}

func requireManageRoles(p *crmguard.Principal) error {
	return requirePerm(p, crmguard.PermManageRoles, "permission denied")
}

// roleInput decodes one record; type errors are per-record INVALID_DATA.
func roleInput(rec map[string]json.RawMessage, path string) (service.RoleInput, *crmguard.Error) {
	var in service.RoleInput
	bad := func(api, typ string) *crmguard.Error {
		return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": api, "json_path": path + "." + api, "expected_data_type": typ})
	}
	for _, k := range []string{"name", "description"} {
		if v, ok := rec[k]; ok && !isNull(v) {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return in, bad(k, "text")
			}
			if k == "name" {
				in.Name = &s
			} else {
				in.Description = &s
			}
		}
	}
	if v, ok := rec["share_with_peers"]; ok && !isNull(v) {
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return in, bad("share_with_peers", "boolean")
		}
		in.ShareWithPeers = &b
	}
	ref := func(k string) (*crmguard.ID, *crmguard.Error) {
		v, ok := rec[k]
		if !ok {
			return nil, nil
		}
		if isNull(v) {
			var zero crmguard.ID
			return &zero, nil
		}
		v = bytes.TrimSpace(v)
		if len(v) > 0 && v[0] == '{' {
			var obj map[string]json.RawMessage
			if json.Unmarshal(v, &obj) != nil || obj["id"] == nil {
				return nil, bad(k, "jsonobject")
			}
			v = obj["id"]
		}
		var id crmguard.ID
		if json.Unmarshal(v, &id) != nil {
			return nil, bad(k, "bigint")
		}
		return &id, nil
	}
	var err *crmguard.Error
	if in.ReportingTo, err = ref("reporting_to"); err != nil {
		return in, err
	}
	if in.ReportingTo != nil && *in.ReportingTo == 0 {
		return in, bad("reporting_to", "bigint")
	}
	if in.ForecastManager, err = ref("forecast_manager"); err != nil {
		return in, err
	}
	if v, ok := rec["id"]; ok && !isNull(v) {
		in.HasID = true
		if id, e := ref("id"); e == nil {
			in.ID = *id
		}
	}
	return in, nil
}

// roleWrite answers POST and PUT /settings/roles[/{id}] with per-record
// results: all succeed 201/200, all fail 400, mixed 207 (200 before v8).
func (a *API) roleWrite(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, create bool) error {
	return bulkWrite[service.RoleInput]{key: "roles", perm: requireManageRoles, decode: roleInput,
		setID:   func(in *service.RoleInput, id crmguard.ID) { in.ID, in.HasID = id, true },
		idOf:    func(in service.RoleInput) crmguard.ID { return in.ID },
		add:     a.svc.AddRoles,
		update:  a.svc.UpdateRoles,
		added:   "Role added",
		updated: "Role updated",
	}.serve(a, w, r, p, create)
}

func (a *API) addRoles(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	return a.roleWrite(w, r, p, true)
}

func (a *API) updateRoles(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	return a.roleWrite(w, r, p, false)
}

// deleteRole answers DELETE /settings/roles/{id}?transfer_to_id=: users
// and sub-roles move first; the answer is wrapped, unlike a profile's.
func (a *API) deleteRole(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := requireManageRoles(p); err != nil {
		return err
	}
	to, err := requiredID(r, "transfer_to_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteRole(r.Context(), a.actor(r, p), id, to); err != nil {
		return unknownRole(err)
	}
	return writeRecords(w, http.StatusOK, "roles", success(id, "Role Deleted"))
}
