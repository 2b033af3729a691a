package zohoapi

import (
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// groupWrite answers POST and PUT /settings/user_groups[/{id}] with
// per-record results, as the Roles API does: all succeed 201/200, all fail
// 400, mixed 207 (200 before v8). The messages are the documentation's
// samples: "Group created", "Group updated".
func (a *API) groupWrite(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, create bool) error {
	return bulkWrite[service.UserGroupInput]{key: "user_groups",
		perm: func(p *crmguard.Principal) error {
			return requirePerm(p, crmguard.PermManageUsers, "permission denied")
		},
		decode:  groupInput,
		setID:   func(in *service.UserGroupInput, id crmguard.ID) { in.ID, in.HasID = id, true },
		idOf:    func(in service.UserGroupInput) crmguard.ID { return in.ID },
		add:     a.svc.AddUserGroups,
		update:  a.svc.UpdateUserGroups,
		added:   "Group created",
		updated: "Group updated",
	}.serve(a, w, r, p, create)
}

func (a *API) addGroups(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	return a.groupWrite(w, r, p, true)
}

func (a *API) updateGroups(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	return a.groupWrite(w, r, p, false)
}

// deleteGroup answers DELETE /settings/user_groups/{id} with the
// documentation's sample, "Group deleted". The OpenAPI file also allows a
// SCHEDULED answer with a job ID; the documentation page has none.
func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := requirePerm(p, crmguard.PermManageUsers, "permission denied"); err != nil {
		return err
	}
	if err := a.svc.DeleteUserGroup(r.Context(), a.actor(r, p), id); err != nil {
		return err
	}
	return writeRecords(w, http.StatusOK, "user_groups", success(id, "Group deleted"))
}

type sourceJSON struct {
	Source       minUser `json:"source"` // a role's {name, id} has the same shape
	Type         string  `json:"type"`
	Subordinates bool    `json:"subordinates"`
}

// groupSources answers GET /settings/user_groups/{id}/sources, filtered by
// type (users, roles; Zoho's groups and territories are always empty
// here) and, for users, user_type (active, inactive, deleted).
func (a *API) groupSources(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	g, err := a.pathGroup(r, p)
	if err != nil {
		return err
	}
	typ, userType := query(r, "type"), query(r, "user_type")
	switch typ {
	case "", "users", "roles", "groups", "territories":
	default:
		return paramErr("type", typ, crmguard.Details{"supported_values": []string{"users", "roles", "groups", "territories"}})
	}
	switch userType {
	case "", "active", "inactive", "deleted":
	default:
		return paramErr("user_type", userType, crmguard.Details{"supported_values": []string{"active", "inactive", "deleted"}})
	}
	page, perPage, err := paging(r)
	if err != nil {
		return err
	}
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	var out []sourceJSON
	for _, s := range g.Sources {
		if typ != "" && s.Type != typ || userType != "" && s.Type != crmguard.GroupSourceUsers {
			continue
		}
		j := sourceJSON{Source: minUser{ID: s.ID, Name: m.roles[s.ID]}, Type: s.Type, Subordinates: s.Subordinates}
		if s.Type == crmguard.GroupSourceUsers {
			u, err := a.svc.GetUser(r.Context(), p.OrgID, s.ID)
			if err != nil {
				return err
			}
			if userType != "" && userState(u) != userType {
				continue
			}
			j.Source.Name = u.FullName()
		}
		out = append(out, j)
	}
	out, info := pageOf(out, page, perPage)
	if len(out) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return web.WriteJSON(w, http.StatusOK, struct {
		Sources []sourceJSON `json:"sources"`
		Info    groupPage    `json:"info"`
	}{out, info})
}

// userState is a user's user_type as the sources endpoints count it.
func userState(u *crmguard.User) string {
	switch u.Status {
	case crmguard.UserDeleted:
		return "deleted"
	case crmguard.UserActive:
		return "active"
	}
	return "inactive"
}

// groupSourcesCount answers GET /settings/user_groups/{id}/actions/sources_count
// (https://www.zoho.com/crm/developer/docs/api/v8/get-sources-count.html).
func (a *API) groupSourcesCount(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	g, err := a.pathGroup(r, p)
	if err != nil {
		return err
	}
	users := map[string]int{"active": 0, "inactive": 0, "deleted": 0}
	roles := 0
	for _, s := range g.Sources {
		if s.Type == crmguard.GroupSourceRoles {
			roles++
			continue
		}
		u, err := a.svc.GetUser(r.Context(), p.OrgID, s.ID)
		if err != nil {
			return err
		}
		users[userState(u)]++
	}
	type count struct {
		Territories int            `json:"territories"`
		Roles       int            `json:"roles"`
		Groups      int            `json:"groups"`
		Users       map[string]int `json:"users"`
	}
	return web.WriteJSON(w, http.StatusOK, map[string][]count{"sources_count": {{Roles: roles, Users: users}}})
}
