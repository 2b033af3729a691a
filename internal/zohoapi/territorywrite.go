package zohoapi

import (
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// territoryWrite answers POST and PUT /settings/territories[/{id}] with
// per-record results, as the roles do: all succeed 201/200, all fail 400,
// mixed 207 (200 before v8)
// (https://www.zoho.com/crm/developer/docs/api/v8/add-territories.html,
// update-territories.html).
func (a *API) territoryWrite(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, create bool) error {
	urlID, err := pathID(r)
	if err != nil {
		return err
	}
	max := maxUpdateBatch
	if urlID != 0 {
		max = 1
	}
	if err := requireManageTerritories(p); err != nil {
		return err
	}
	recs, err := recordsBody(r, "territories", max, "required field not found")
	if err != nil {
		return err
	}
	out := make([]web.Envelope, len(recs))
	var ins []service.TerritoryInput
	var at []int
	for i, rec := range recs {
		if rec == nil {
			out[i] = failure(notObject("territories", i))
			continue
		}
		in, e := territoryInput(rec, recordPath("territories", i))
		if e != nil {
			out[i] = failure(e)
			continue
		}
		if urlID != 0 {
			in.ID = urlID
		}
		ins = append(ins, in)
		at = append(at, i)
	}
	var ids []crmguard.ID
	var results []error
	if create {
		ids, results, err = a.svc.AddTerritories(r.Context(), a.actor(r, p), ins)
	} else {
		results, err = a.svc.UpdateTerritories(r.Context(), a.actor(r, p), ins)
	}
	if err != nil {
		return err
	}
	ok, msg := http.StatusOK, "Territory updated successfully"
	if create {
		ok, msg = http.StatusCreated, "Territory created successfully"
	}
	id := func(j int) crmguard.ID {
		if create {
			return ids[j]
		}
		return ins[j].ID
	}
	if err := batchResults(out, "territories", at, results, id, msg); err != nil {
		return err
	}
	return writeRecords(w, writeStatus(r, out, ok), "territories", out...)
}

func (a *API) addTerritories(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	return a.territoryWrite(w, r, p, true)
}

func (a *API) updateTerritories(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	return a.territoryWrite(w, r, p, false)
}

// deleteTerritory answers DELETE /settings/territories/{id}.
func (a *API) deleteTerritory(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := requireManageTerritories(p); err != nil {
		return err
	}
	if err := a.svc.DeleteTerritory(r.Context(), a.actor(r, p), id); err != nil {
		return pathIndex(err, 0)
	}
	return writeRecords(w, http.StatusOK, "territories", success(id, "Territory deleted successfully"))
}
