package zohoapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// The User Groups API (https://www.zoho.com/crm/developer/docs/api/v8/get-user-groups.html
// and the create, update, delete, get-sources-by-type, get-sources-count
// and associated-groups-of-a-user pages beside it; zoho/crm-oas
// v8.0/user_groups.json). Zoho's v4 pages are the first to document it, and
// v5's the first to document a user's associated groups.

// groupJSON is a group as GET /settings/user_groups answers it.
type groupJSON struct {
	CreatedTime  *string       `json:"created_time"`
	SourcesCount *sourcesCount `json:"sources_count,omitempty"`
	ModifiedTime *string       `json:"modified_time"`
	Name         string        `json:"name"`
	ModifiedBy   *minUser      `json:"modified_by"`
	Description  *string       `json:"description"`
	ID           crmguard.ID   `json:"id"`
	CreatedBy    *minUser      `json:"created_by"`
}

// sourcesCount is include=sources_count as the documentation's sample has
// it ({"territories":1,"roles":2,"users":2}); the OpenAPI file's schema
// (users as an object, and groups) is the sources_count action's, which
// the documentation gives that shape.
type sourcesCount struct {
	Territories int `json:"territories"`
	Roles       int `json:"roles"`
	Users       int `json:"users"`
}

type groupPage struct {
	PerPage     int  `json:"per_page"`
	Count       int  `json:"count"`
	Page        int  `json:"page"`
	MoreRecords bool `json:"more_records"`
}

// pageOf cuts items to one page; an empty page answers 204, as Zoho's pages
// document NO_CONTENT for a list with nothing in it.
func pageOf[T any](items []T, page, perPage int) ([]T, groupPage) {
	start := (page - 1) * perPage
	if start > len(items) {
		start = len(items)
	}
	end := min(start+perPage, len(items))
	return items[start:end], groupPage{PerPage: perPage, Count: end - start, Page: page, MoreRecords: end < len(items)}
}

func (a *API) groupsJSON(r *http.Request, p *crmguard.Principal, gs []*crmguard.UserGroup, counts bool) ([]groupJSON, error) {
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return nil, err
	}
	var ids []crmguard.ID
	for _, g := range gs {
		ids = append(ids, g.CreatedBy, g.ModifiedBy)
	}
	names, err := a.svc.UserNames(r.Context(), p.OrgID, dedupe(ids))
	if err != nil {
		return nil, err
	}
	user := func(id crmguard.ID) *minUser {
		if id == 0 {
			return nil
		}
		return &minUser{Name: names[id], ID: id}
	}
	loc := m.loc
	out := make([]groupJSON, len(gs))
	for i, g := range gs {
		out[i] = groupJSON{CreatedTime: formatTime(g.CreatedTime, loc), ModifiedTime: formatTime(g.ModifiedTime, loc), Name: g.Name,
			ModifiedBy: user(g.ModifiedBy), Description: str(g.Description), ID: g.ID, CreatedBy: user(g.CreatedBy)}
		if counts {
			c := &sourcesCount{}
			for _, s := range g.Sources {
				if s.Type == crmguard.GroupSourceRoles {
					c.Roles++
				} else {
					c.Users++
				}
			}
			out[i].SourcesCount = c
		}
	}
	return out, nil
}

// writeGroups answers a page of groups, {"user_groups":[...],"info":{...}}.
func (a *API) writeGroups(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, gs []*crmguard.UserGroup) error {
	page, perPage, err := paging(r)
	if err != nil {
		return err
	}
	counts := false
	if inc := query(r, "include"); inc != "" {
		if inc != "sources_count" {
			return paramErr("include", inc, crmguard.Details{"supported_values": []string{"sources_count"}})
		}
		counts = true
	}
	gs, info := pageOf(gs, page, perPage)
	if len(gs) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	out, err := a.groupsJSON(r, p, gs, counts)
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, struct {
		UserGroups []groupJSON `json:"user_groups"`
		Info       groupPage   `json:"info"`
	}{out, info})
}

// listGroups answers GET /settings/user_groups; name= keeps the group of
// that name (any case).
func (a *API) listGroups(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	gs, err := a.svc.ListUserGroups(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	if name := query(r, "name"); name != "" {
		var keep []*crmguard.UserGroup
		for _, g := range gs {
			if strings.EqualFold(g.Name, name) {
				keep = append(keep, g)
			}
		}
		gs = keep
	}
	return a.writeGroups(w, r, p, gs)
}

// getGroup answers GET /settings/user_groups/{id}.
func (a *API) getGroup(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	g, err := a.pathGroup(r, p)
	if err != nil {
		return err
	}
	return a.writeGroups(w, r, p, []*crmguard.UserGroup{g})
}

func (a *API) pathGroup(r *http.Request, p *crmguard.Principal) (*crmguard.UserGroup, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return a.svc.GetUserGroup(r.Context(), p.OrgID, id)
}

// userGroupsOfUser answers GET /users/{id}/actions/associated_groups. Zoho
// asks for both ZohoCRM.settings.user_groups.READ and ZohoCRM.users.READ
// (https://www.zoho.com/crm/developer/docs/api/v8/associated-groups-of-a-user.html):
// the route's scope is the first, the second is checked here.
func (a *API) userGroupsOfUser(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	if !access.ScopeMask(p.ScopeMask).Covers(access.ScopeUsersRead) {
		return crmguard.NewError(crmguard.CodeOAuthScopeMismatch, "invalid oauth scope to access this URL", nil)
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	gs, err := a.svc.GroupsOfUser(r.Context(), p.OrgID, id)
	if ce, ok := crmguard.AsError(err); ok && ce == service.ErrInvalidUserID {
		return crmguard.NewError(ce.Code, ce.Message, crmguard.Details{"resource_path_index": 0})
	} else if err != nil {
		return err
	}
	return a.writeGroups(w, r, p, gs)
}

// sourceInput reads one item of a record's sources array:
// {"type":"users","source":{"id":"…"},"subordinates":true,"_delete":true}.
func sourceInput(raw json.RawMessage, path string) (service.GroupSourceInput, *crmguard.Error) {
	var in service.GroupSourceInput
	bad := func(api, typ string) *crmguard.Error {
		return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": api, "json_path": path + "." + api, "expected_data_type": typ})
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return in, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": "sources", "json_path": path, "expected_data_type": "jsonobject"})
	}
	if v, ok := m["type"]; ok && !isNull(v) && json.Unmarshal(v, &in.Type) != nil {
		return in, bad("type", "text")
	}
	if v, ok := m["source"]; ok && !isNull(v) {
		id, ok := lookupRef(v)
		if !ok {
			return in, bad("source", "jsonobject")
		}
		in.ID = id
	}
	for k, dst := range map[string]*bool{"subordinates": &in.Subordinates, "_delete": &in.Delete} {
		if v, ok := m[k]; ok && !isNull(v) && json.Unmarshal(v, dst) != nil {
			return in, bad(k, "boolean")
		}
	}
	return in, nil
}

// groupInput decodes one record; type errors are per-record INVALID_DATA.
func groupInput(rec map[string]json.RawMessage, path string) (service.UserGroupInput, *crmguard.Error) {
	var in service.UserGroupInput
	bad := func(api, typ string) *crmguard.Error {
		return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": api, "json_path": path + "." + api, "expected_data_type": typ})
	}
	for k, dst := range map[string]**string{"name": &in.Name, "description": &in.Description} {
		if v, ok := rec[k]; ok && !isNull(v) {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return in, bad(k, "text")
			}
			*dst = &s
		}
	}
	if v, ok := rec["sources"]; ok && !isNull(v) {
		var items []json.RawMessage
		if json.Unmarshal(v, &items) != nil {
			return in, bad("sources", "jsonarray")
		}
		in.HasSources = true
		for i, it := range items {
			s, e := sourceInput(it, path+".sources["+strconv.Itoa(i)+"]")
			if e != nil {
				return in, e
			}
			in.Sources = append(in.Sources, s)
		}
	}
	if id, given, ok := recordID(rec); given {
		in.HasID = true
		if ok {
			in.ID = id
		}
	}
	return in, nil
}
