package zohoapi

import (
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// The users of a territory, the reverse of a user's territories
// (https://www.zoho.com/crm/developer/docs/api/v8/get-user-territory.html,
// associate-users-territory.html and the disassociate page beside them;
// zoho/crm-oas v8.0/territory_users.json), all from v5. GET takes
// ZohoCRM.users.READ; PUT takes the territories scope and the users scope
// both, the second checked here.

// getTerritoryUsers answers GET /settings/territories/{id}/users[/{user_id}]
// with the users as GET /users writes them; none is 204.
func (a *API) getTerritoryUsers(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	tid, err := pathID(r)
	if err != nil {
		return err
	}
	uid, err := pathValueID(r, "user_id")
	if err != nil {
		return err
	}
	epoch, seq := a.svc.Epoch(), a.svc.Seq()
	ids, err := a.svc.TerritoryUserIDs(r.Context(), p.OrgID, tid)
	if err != nil {
		return pathIndex(err, 0)
	}
	if uid != 0 {
		found := false
		for _, id := range ids {
			found = found || id == uid
		}
		if !found {
			return pathIndex(service.ErrInvalidUserID, 1)
		}
		ids = []crmguard.ID{uid}
	}
	if len(ids) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	enc, err := a.encodeUsers(r, p, epoch, seq, ids, nil)
	if err != nil {
		return err
	}
	var info *pageInfo
	if uid == 0 {
		info = &pageInfo{page: 1, perPage: maxPerPage}
	}
	return a.writeUsers(w, enc, info)
}

// putTerritoryUsers answers PUT /settings/territories/{id}/users with
// {"users":[{"id"}]}, or PUT …/users/{user_id} without a body.
func (a *API) putTerritoryUsers(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	tid, err := pathID(r)
	if err != nil {
		return err
	}
	uid, err := pathValueID(r, "user_id")
	if err != nil {
		return err
	}
	if !access.ScopeMask(p.ScopeMask).Covers(access.ScopeUsersUpdate) {
		return errTerritoryScope
	}
	if err := requirePerm(p, crmguard.PermManageUsers, "permission denied"); err != nil {
		return err
	}
	if uid != 0 {
		return a.territoryUserResults(w, r, p, tid, []crmguard.ID{uid}, []int{0}, make([]web.Envelope, 1), true)
	}
	recs, err := recordsBody(r, "users", maxUpdateBatch, "required field not found")
	if err != nil {
		return err
	}
	out := make([]web.Envelope, len(recs))
	ids, at := bodyIDs(recs, "users", out)
	return a.territoryUserResults(w, r, p, tid, ids, at, out, true)
}

// deleteTerritoryUsers answers DELETE /settings/territories/{id}/users?ids=
// and DELETE …/users/{user_id}.
func (a *API) deleteTerritoryUsers(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	tid, err := pathID(r)
	if err != nil {
		return err
	}
	uid, err := pathValueID(r, "user_id")
	if err != nil {
		return err
	}
	// ZohoCRM.settings.territories.ALL alone will do, or the DELETE
	// operation with the users scope (v7/disassociate-users-territory.html).
	m := access.ScopeMask(p.ScopeMask)
	if !m.Covers(access.ScopeUsersDelete) && !(m.Covers(access.ScopeTerritoriesRead) && m.Covers(access.ScopeTerritoriesCreate) && m.Covers(access.ScopeTerritoriesUpdate)) {
		return errTerritoryScope
	}
	if err := requirePerm(p, crmguard.PermManageUsers, "permission denied"); err != nil {
		return err
	}
	ids := []crmguard.ID{uid}
	if uid == 0 {
		if ids, err = queryIDs(r, maxUpdateBatch); err != nil {
			return err
		}
	}
	return a.territoryUserResults(w, r, p, tid, ids, indexes(len(ids)), make([]web.Envelope, len(ids)), false)
}

func (a *API) territoryUserResults(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, tid crmguard.ID,
	ids []crmguard.ID, at []int, out []web.Envelope, add bool) error {
	var results []error
	var err error
	msg := "Given User added to the mentioned territory Successfully"
	if add {
		results, err = a.svc.AssociateTerritoryUsers(r.Context(), a.actor(r, p), tid, ids)
	} else {
		msg = "Given User Removed from the mentioned territory Successfully"
		results, err = a.svc.RemoveTerritoryUsers(r.Context(), a.actor(r, p), tid, ids)
	}
	if err != nil {
		return pathIndex(err, 0)
	}
	if err := batchResults(out, "users", at, results, func(j int) crmguard.ID { return ids[j] }, msg); err != nil {
		return err
	}
	// v8's page answers a member already as ALREADY_EXISTS, "User Already
	// exists in this Territory"; v5 to v7 as DUPLICATE_DATA.
	if r.PathValue("version") == "v8" {
		for i, o := range out {
			if o.Code == crmguard.CodeDuplicateData {
				out[i].Code, out[i].Message = "ALREADY_EXISTS", "User Already exists in this Territory"
			}
		}
	}
	return writeRecords(w, writeStatus(r, out, http.StatusOK), "users", out...)
}
