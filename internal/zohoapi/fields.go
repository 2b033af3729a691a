package zohoapi

import (
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

type pickValue struct {
	DisplayValue string `json:"display_value"`
	ActualValue  string `json:"actual_value"`
}

// fieldJSON is one field of GET /settings/fields?module=users.
type fieldJSON struct {
	APIName         string      `json:"api_name"`
	ID              crmguard.ID `json:"id"`
	FieldLabel      string      `json:"field_label"`
	DisplayLabel    string      `json:"display_label"`
	DataType        string      `json:"data_type"`
	JSONType        string      `json:"json_type"`
	Length          *int        `json:"length"`
	DecimalPlace    *int        `json:"decimal_place"`
	CustomField     bool        `json:"custom_field"`
	SystemMandatory bool        `json:"system_mandatory"`
	ReadOnly        bool        `json:"read_only"`
	Visible         bool        `json:"visible"`
	CreatedSource   string      `json:"created_source"`
	PickListValues  []pickValue `json:"pick_list_values"`
}

var jsonTypes = map[string]string{
	crmguard.FieldInteger: "integer", crmguard.FieldCurrency: "double", crmguard.FieldBoolean: "boolean",
	crmguard.FieldLookup: "jsonobject",
}

func fieldView(f *crmguard.Field) fieldJSON {
	j := fieldJSON{APIName: f.APIName, ID: f.ID, FieldLabel: f.Label, DisplayLabel: f.Label, DataType: f.Type,
		JSONType: "string", CustomField: f.Custom, SystemMandatory: f.Mandatory, ReadOnly: f.ReadOnly,
		Visible: true, CreatedSource: "default", PickListValues: []pickValue{}}
	if t, ok := jsonTypes[f.Type]; ok {
		j.JSONType = t
	}
	if f.Custom {
		j.CreatedSource = "crm"
	}
	if f.Length > 0 {
		n := f.Length
		j.Length = &n
	}
	if f.Type == crmguard.FieldCurrency {
		d := f.Decimals
		j.DecimalPlace = &d
	}
	for _, v := range f.PickList {
		j.PickListValues = append(j.PickListValues, pickValue{DisplayValue: v, ActualValue: v})
	}
	return j
}

// listFields answers GET /settings/fields?module=users.
func (a *API) listFields(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	module := query(r, "module")
	if module == "" {
		return crmguard.NewError(crmguard.CodeRequiredParamMissing, "One of the expected parameter is missing", crmguard.Details{"param_name": "module"})
	}
	if !strings.EqualFold(module, crmguard.ModuleUsers) {
		return crmguard.NewError(crmguard.CodeInvalidModule, "the module name given seems to be invalid", crmguard.Details{"param_name": "module", "param": module, "supported_values": []string{"users"}})
	}
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	out := make([]fieldJSON, len(m.fields))
	for i, f := range m.fields {
		out[i] = fieldView(f)
	}
	return web.WriteJSON(w, http.StatusOK, map[string][]fieldJSON{"fields": out})
}
