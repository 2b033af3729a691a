package zohoapi

import (
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

// territoryWrite answers POST and PUT /settings/territories[/{id}] with
// per-record results, as the roles do: all succeed 201/200, all fail 400,
// mixed 207 (200 before v8)
// (https://www.zoho.com/crm/developer/docs/api/v8/add-territories.html,
// update-territories.html).
func (a *API) territoryWrite(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, create bool) error {
	return bulkWrite[service.TerritoryInput]{key: "territories", perm: requireManageTerritories, decode: territoryInput,
		setID:   func(in *service.TerritoryInput, id crmguard.ID) { in.ID = id },
		idOf:    func(in service.TerritoryInput) crmguard.ID { return in.ID },
		add:     a.svc.AddTerritories,
		update:  a.svc.UpdateTerritories,
		added:   "Territory created successfully",
		updated: "Territory updated successfully",
	}.serve(a, w, r, p, create)
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
