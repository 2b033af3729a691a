package zohoapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// territoryJSON is a territory as GET /settings/territories answers it
// (https://www.zoho.com/crm/developer/docs/api/v8/get-territories.html;
// the keys the territories schema of zoho/crm-oas v8.0/territories.json
// requires). crmguard keeps no assignment rules: their criteria are null.
type territoryJSON struct {
	CreatedTime         *string     `json:"created_time"`
	ModifiedTime        *string     `json:"modified_time"`
	Manager             *minUser    `json:"manager"`
	ReportingTo         *minUser    `json:"reporting_to"`
	PermissionType      string      `json:"permission_type"`
	ModifiedBy          *minUser    `json:"modified_by"`
	Description         *string     `json:"description"`
	ID                  crmguard.ID `json:"id"`
	CreatedBy           *minUser    `json:"created_by"`
	AccountRuleCriteria any         `json:"account_rule_criteria"`
	DealRuleCriteria    any         `json:"deal_rule_criteria"`
	LeadRuleCriteria    any         `json:"lead_rule_criteria"`
	Name                string      `json:"name"`
	APIName             string      `json:"api_name"`
}

// userTerritoryJSON is a territory as GET /users/{id}/territories answers
// it, with capitalised keys
// (https://www.zoho.com/crm/developer/docs/api/v8/get-user-territories.html;
// zoho/crm-oas v8.0/users_territories.json).
type userTerritoryJSON struct {
	ID          crmguard.ID `json:"id"`
	Manager     *nameID     `json:"Manager"`
	ReportingTo *nameID     `json:"Reporting_To"`
	Name        string      `json:"Name"`
}

type nameID struct {
	Name string      `json:"Name"`
	ID   crmguard.ID `json:"id"`
}

type listInfo struct {
	PerPage     int  `json:"per_page"`
	Count       int  `json:"count"`
	Page        int  `json:"page"`
	MoreRecords bool `json:"more_records"`
}

// territoryNames resolves the users and parent territories the answer names.
func (a *API) territoryNames(r *http.Request, p *crmguard.Principal, ts []*crmguard.Territory) (users map[crmguard.ID]string, terrs map[crmguard.ID]string, err error) {
	all, err := a.svc.ListTerritories(r.Context(), p.OrgID)
	if err != nil {
		return nil, nil, err
	}
	terrs = make(map[crmguard.ID]string, len(all))
	for _, t := range all {
		terrs[t.ID] = t.Name
	}
	var ids []crmguard.ID
	for _, t := range ts {
		ids = append(ids, t.CreatedBy, t.ModifiedBy, t.Manager)
	}
	users, err = a.svc.UserNames(r.Context(), p.OrgID, dedupe(ids))
	return users, terrs, err
}

// writeTerritories answers {"territories":[...],"info":{...}}; no
// territory is 204, as the OpenAPI file gives it.
func (a *API) writeTerritories(w http.ResponseWriter, r *http.Request, p *crmguard.Principal, ts []*crmguard.Territory) error {
	if len(ts) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	users, terrs, err := a.territoryNames(r, p, ts)
	if err != nil {
		return err
	}
	user := func(id crmguard.ID) *minUser {
		if id == 0 {
			return nil
		}
		return &minUser{Name: users[id], ID: id}
	}
	loc := m.loc
	out := make([]territoryJSON, len(ts))
	for i, t := range ts {
		out[i] = territoryJSON{CreatedTime: formatTime(t.CreatedTime, loc), ModifiedTime: formatTime(t.ModifiedTime, loc),
			Manager: user(t.Manager), PermissionType: t.PermissionType, ModifiedBy: user(t.ModifiedBy),
			Description: str(t.Description), ID: t.ID, CreatedBy: user(t.CreatedBy), Name: t.Name,
			APIName: strings.ReplaceAll(t.Name, " ", "_")}
		if t.ReportingTo != 0 {
			out[i].ReportingTo = &minUser{Name: terrs[t.ReportingTo], ID: t.ReportingTo}
		}
	}
	return web.WriteJSON(w, http.StatusOK, map[string]any{"territories": out,
		"info": listInfo{PerPage: maxPerPage, Count: len(out), Page: 1}})
}

// listTerritories answers GET /settings/territories.
func (a *API) listTerritories(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	ts, err := a.svc.ListTerritories(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	return a.writeTerritories(w, r, p, ts)
}

// getTerritory answers GET /settings/territories/{id}.
func (a *API) getTerritory(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := a.svc.GetTerritory(r.Context(), p.OrgID, id)
	if err != nil {
		return pathIndex(err, 0)
	}
	return a.writeTerritories(w, r, p, []*crmguard.Territory{t})
}

// pathIndex adds resource_path_index, the position of the bad ID among
// the path's IDs, to an unknown-ID error, as Zoho's InvalidUrlError does.
func pathIndex(err error, i int) error {
	if ce, ok := crmguard.AsError(err); ok && (ce == service.ErrInvalidTerritoryID || ce == service.ErrInvalidUserID) {
		return crmguard.NewError(ce.Code, ce.Message, crmguard.Details{"resource_path_index": i})
	}
	return err
}

func requireManageTerritories(p *crmguard.Principal) error {
	return requirePerm(p, crmguard.PermManageUsers, "permission denied")
}

// territoryInput decodes one record; type errors are per-record INVALID_DATA.
func territoryInput(rec map[string]json.RawMessage, path string) (service.TerritoryInput, *crmguard.Error) {
	var in service.TerritoryInput
	bad := func(api, typ string) *crmguard.Error {
		return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": api, "json_path": path + "." + api, "expected_data_type": typ})
	}
	strs := []struct {
		k   string
		dst **string
	}{{"name", &in.Name}, {"description", &in.Description}, {"permission_type", &in.PermissionType}}
	for _, f := range strs {
		k, dst := f.k, f.dst
		if v, ok := rec[k]; ok && !isNull(v) {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return in, bad(k, "text")
			}
			*dst = &s
		}
	}
	refs := []struct {
		k   string
		dst **crmguard.ID
	}{{"reporting_to", &in.ReportingTo}, {"manager", &in.Manager}}
	for _, f := range refs {
		k, dst := f.k, f.dst
		if v, ok := rec[k]; ok {
			id, ok := lookupRef(v)
			if !ok || (k == "reporting_to" && id == 0) {
				return in, bad(k, "jsonobject")
			}
			*dst = &id
		}
	}
	if id, given, ok := recordID(rec); given {
		if !ok {
			return in, bad("id", "bigint")
		}
		in.ID = id
	}
	return in, nil
}
