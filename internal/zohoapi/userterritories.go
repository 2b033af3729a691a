package zohoapi

import (
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// The Users Territories API: a user's territories
// (https://www.zoho.com/crm/developer/docs/api/v8/get-user-territories.html,
// add-update-user-territories.html; zoho/crm-oas v8.0/users_territories.json).
// The pages take ZohoCRM.users.* or ZohoCRM.settings.territories.*; the
// OpenAPI file names only the second, and the page wins. A route takes one
// scope here, so these take the users scopes the pages name first.

var errTerritoryScope = crmguard.NewError(crmguard.CodeOAuthScopeMismatch, "invalid oauth scope to access this URL", nil)

// getUserTerritories answers GET /users/{id}/territories[/{territory_id}]:
// the list with info, one territory without; none is 204.
func (a *API) getUserTerritories(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	user, err := pathID(r)
	if err != nil {
		return err
	}
	tid, err := pathValueID(r, "territory_id")
	if err != nil {
		return err
	}
	ts, err := a.svc.UserTerritories(r.Context(), p.OrgID, user)
	if err != nil {
		return pathIndex(err, 0)
	}
	if tid != 0 {
		var one []*crmguard.Territory
		for _, t := range ts {
			if t.ID == tid {
				one = append(one, t)
			}
		}
		if one == nil {
			return pathIndex(service.ErrInvalidTerritoryID, 1)
		}
		ts = one
	}
	if len(ts) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	users, terrs, err := a.territoryNames(r, p, ts)
	if err != nil {
		return err
	}
	out := make([]userTerritoryJSON, len(ts))
	for i, t := range ts {
		out[i] = userTerritoryJSON{ID: t.ID, Name: t.Name}
		if t.Manager != 0 {
			out[i].Manager = &nameID{Name: users[t.Manager], ID: t.Manager}
		}
		if t.ReportingTo != 0 {
			out[i].ReportingTo = &nameID{Name: terrs[t.ReportingTo], ID: t.ReportingTo}
		}
	}
	body := map[string]any{"territories": out}
	if tid == 0 {
		body["info"] = listInfo{PerPage: maxPerPage, Count: len(out), Page: 1}
	}
	return web.WriteJSON(w, http.StatusOK, body)
}

// putUserTerritories answers PUT /users/{id}/territories with
// {"territories":[{"id"}]}, at most 100 (LIMIT_EXCEEDED beyond).
func (a *API) putUserTerritories(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	user, err := pathID(r)
	if err != nil {
		return err
	}
	if err := requirePerm(p, crmguard.PermManageUsers, "permission denied"); err != nil {
		return err
	}
	recs, err := recordsBody(r, "territories", 1<<20, "required field not found")
	if err != nil {
		return err
	}
	if len(recs) > service.MaxUserTerritories {
		return crmguard.NewError(crmguard.CodeLimitExceeded, "Maximum number of territories that can be associated exceeded",
			crmguard.Details{"api_name": "territories", "json_path": "$.territories", "limit": service.MaxUserTerritories})
	}
	out := make([]web.Envelope, len(recs))
	ids, at := bodyIDs(recs, "territories", out)
	return a.userTerritoryResults(w, r, p, user, ids, at, out, true, "Territory associated to the user successfully")
}

// deleteUserTerritories answers DELETE /users/{id}/territories?ids= and
// DELETE /users/{id}/territories/{territory_id}.
func (a *API) deleteUserTerritories(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	user, err := pathID(r)
	if err != nil {
		return err
	}
	tid, err := pathValueID(r, "territory_id")
	if err != nil {
		return err
	}
	// Removal takes both scopes, users and territories, as Zoho's
	// remove-territories-from-user page says; the route checked the first.
	if !access.ScopeMask(p.ScopeMask).Covers(access.ScopeTerritoriesDelete) {
		return errTerritoryScope
	}
	if err := requirePerm(p, crmguard.PermManageUsers, "permission denied"); err != nil {
		return err
	}
	ids := []crmguard.ID{tid}
	if tid == 0 {
		if ids, err = queryIDs(r, service.MaxUserTerritories); err != nil {
			return err
		}
	}
	return a.userTerritoryResults(w, r, p, user, ids, indexes(len(ids)), make([]web.Envelope, len(ids)), false, "Territory removed from the user successfully")
}

func (a *API) userTerritoryResults(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, user crmguard.ID,
	ids []crmguard.ID, at []int, out []web.Envelope, add bool, msg string) error {
	var results []error
	var err error
	if add {
		results, err = a.svc.AssociateUserTerritories(r.Context(), a.actor(r, p), user, ids)
	} else {
		results, err = a.svc.RemoveUserTerritories(r.Context(), a.actor(r, p), user, ids)
	}
	if err != nil {
		return pathIndex(err, 0)
	}
	if err := batchResults(out, "territories", at, results, func(j int) crmguard.ID { return ids[j] }, msg); err != nil {
		return err
	}
	return writeRecords(w, writeStatus(r, out, http.StatusOK), "territories", out...)
}
