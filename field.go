package crmguard

import "time"

// Field types of the Users module, as the fields metadata API names them
// (data_type).
const (
	FieldText     = "text"     // single line
	FieldTextarea = "textarea" // multi line
	FieldInteger  = "integer"  // number
	FieldCurrency = "currency"
	FieldWebsite  = "website" // URL
	FieldEmail    = "email"
	FieldPhone    = "phone"
	FieldDate     = "date"
	FieldBoolean  = "boolean" // checkbox
	FieldPicklist = "picklist"
	FieldLookup   = "lookup" // role, profile, Reporting_To
	FieldDateTime = "datetime"
)

// ModuleUsers is the module whose fields crmguard serves.
const ModuleUsers = "users"

// Field is a field of a module: a system field crmguard knows, or a custom
// field an admin added. API names are unique per module, any case.
type Field struct {
	ID          ID
	OrgID       ID
	Module      string
	APIName     string
	Label       string
	Type        string // one of the Field* constants
	Length      int    // maximum length of text values; digits for numbers
	Decimals    int    // currency decimal places
	PickList    []string
	Custom      bool
	Mandatory   bool // system mandatory on create
	ReadOnly    bool
	CreatedBy   ID
	CreatedTime time.Time
}
