package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// systemField is a system field of the Users module: what the fields
// metadata API lists and what POST/PUT /users accept.
type systemField struct {
	api, label, typ string
	length          int
	pick            []string
	mandatory       bool // on create
	readOnly        bool
}

// Date formats and the other pick lists a CRM user's preferences offer.
var (
	dateFormats = []string{"MM/dd/yyyy", "dd/MM/yyyy", "yyyy/MM/dd", "MMM d, yyyy", "dd MMM yyyy", "yyyy-MM-dd",
		"dd-MM-yyyy", "dd.MM.yyyy", "M/d/yyyy", "d/M/yyyy", "EEE, MMM d, yyyy"}
	timeFormats       = []string{"hh:mm a", "HH:mm"}
	separators        = []string{"Comma", "Period", "Space"}
	nameFormats       = []string{"Salutation,First Name,Last Name", "Salutation,Last Name,First Name", "First Name,Last Name", "Last Name,First Name"}
	sortOrderPrefs    = []string{"First Name,Last Name", "Last Name,First Name"}
	userStatusChoices = []string{"active", "inactive"}
)

// userSystemFields is the Users module's system fields, in the order the
// metadata API lists them.
var userSystemFields = []systemField{
	{api: "first_name", label: "First Name", typ: crmguard.FieldText, length: 50},
	{api: "last_name", label: "Last Name", typ: crmguard.FieldText, length: 50, mandatory: true},
	{api: "full_name", label: "Full Name", typ: crmguard.FieldText, length: 101, readOnly: true},
	{api: "email", label: "Email", typ: crmguard.FieldEmail, length: 100, mandatory: true},
	{api: "role", label: "Role", typ: crmguard.FieldLookup, mandatory: true},
	{api: "profile", label: "Profile", typ: crmguard.FieldLookup, mandatory: true},
	{api: "Reporting_To", label: "Reporting To", typ: crmguard.FieldLookup},
	{api: "status", label: "Status", typ: crmguard.FieldPicklist, pick: userStatusChoices},
	{api: "confirm", label: "Confirm", typ: crmguard.FieldBoolean, readOnly: true},
	{api: "alias", label: "Alias", typ: crmguard.FieldText, length: 40},
	{api: "phone", label: "Phone", typ: crmguard.FieldPhone, length: 30},
	{api: "mobile", label: "Mobile", typ: crmguard.FieldPhone, length: 30},
	{api: "fax", label: "Fax", typ: crmguard.FieldPhone, length: 30},
	{api: "website", label: "Website", typ: crmguard.FieldWebsite, length: 255},
	{api: "dob", label: "Date of Birth", typ: crmguard.FieldDate},
	{api: "street", label: "Street", typ: crmguard.FieldText, length: 250},
	{api: "city", label: "City", typ: crmguard.FieldText, length: 100},
	{api: "state", label: "State", typ: crmguard.FieldText, length: 100},
	{api: "zip", label: "Zip Code", typ: crmguard.FieldText, length: 30},
	{api: "country", label: "Country", typ: crmguard.FieldText, length: 100},
	{api: "signature", label: "Signature", typ: crmguard.FieldTextarea, length: 3000},
	{api: "time_zone", label: "Time Zone", typ: crmguard.FieldText, length: 100},
	{api: "locale", label: "Locale", typ: crmguard.FieldText, length: 10},
	{api: "language", label: "Language", typ: crmguard.FieldText, length: 10},
	{api: "country_locale", label: "Country Locale", typ: crmguard.FieldText, length: 10},
	{api: "time_format", label: "Time Format", typ: crmguard.FieldPicklist, pick: timeFormats},
	{api: "date_format", label: "Date Format", typ: crmguard.FieldPicklist, pick: dateFormats},
	{api: "decimal_separator", label: "Decimal Separator", typ: crmguard.FieldPicklist, pick: separators},
	{api: "number_separator", label: "Number Separator", typ: crmguard.FieldPicklist, pick: separators},
	{api: "name_format__s", label: "Name Format", typ: crmguard.FieldPicklist, pick: nameFormats},
	{api: "sort_order_preference__s", label: "Sort Order Preference", typ: crmguard.FieldPicklist, pick: sortOrderPrefs},
	{api: "Currency", label: "Currency", typ: crmguard.FieldText, length: 3},
	{api: "Isonline", label: "Is Online", typ: crmguard.FieldBoolean, readOnly: true},
	{api: "created_by", label: "Created By", typ: crmguard.FieldLookup, readOnly: true},
	{api: "created_time", label: "Created Time", typ: crmguard.FieldDateTime, readOnly: true},
	{api: "Modified_By", label: "Modified By", typ: crmguard.FieldLookup, readOnly: true},
	{api: "Modified_Time", label: "Modified Time", typ: crmguard.FieldDateTime, readOnly: true},
}

// CustomFieldTypes are the types a custom user field may have, by the
// names the CLI accepts, mapped to the metadata data_type.
var CustomFieldTypes = map[string]string{
	"single-line": crmguard.FieldText, "text": crmguard.FieldText,
	"multi-line": crmguard.FieldTextarea, "textarea": crmguard.FieldTextarea,
	"number": crmguard.FieldInteger, "integer": crmguard.FieldInteger,
	"currency": crmguard.FieldCurrency,
	"url":      crmguard.FieldWebsite, "website": crmguard.FieldWebsite,
	"email":    crmguard.FieldEmail,
	"date":     crmguard.FieldDate,
	"checkbox": crmguard.FieldBoolean, "boolean": crmguard.FieldBoolean,
	"picklist": crmguard.FieldPicklist, "pick-list": crmguard.FieldPicklist,
}

// Limits of custom field definitions (Zoho's for the Users module).
const (
	maxLabel        = 50
	maxTextLength   = 255
	maxAreaLength   = 32000
	maxNumberDigits = 16
	maxDecimals     = 9
	maxPickValues   = 1000
)

// Fields lists the Users module's fields of an org: system fields first,
// then custom fields in the order they were added. It only reads: the
// system fields are recorded when the org is made, and for orgs made by a
// version that recorded them on first read, by EnsureSystemFields, which
// migrate and every start of the server run.
func (s *Service) Fields(ctx context.Context, org crmguard.ID) ([]*crmguard.Field, error) {
	return s.store.ListFields(ctx, org, crmguard.ModuleUsers)
}

// EnsureSystemFields records the system fields every org lacks. It is
// idempotent and writes nothing when no org lacks one, so it is safe to run
// on every start.
func (s *Service) EnsureSystemFields(ctx context.Context) error {
	orgs, err := s.store.ListOrgs(ctx)
	if err != nil {
		return err
	}
	var lacking []crmguard.ID
	for _, o := range orgs {
		missing, err := s.missingFields(ctx, s.store, o.ID)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			lacking = append(lacking, o.ID)
		}
	}
	if len(lacking) == 0 {
		return nil
	}
	return s.write(ctx, func(tx crmguard.Store) error {
		for _, org := range lacking {
			if err := s.ensureFields(ctx, tx, org); err != nil {
				return err
			}
		}
		return nil
	})
}

// missingFields lists the system fields an org has no field for.
func (s *Service) missingFields(ctx context.Context, st crmguard.Store, org crmguard.ID) ([]systemField, error) {
	have, err := st.ListFields(ctx, org, crmguard.ModuleUsers)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, f := range have {
		known[strings.ToLower(f.APIName)] = true
	}
	var missing []systemField
	for _, sf := range userSystemFields {
		if !known[strings.ToLower(sf.api)] {
			missing = append(missing, sf)
		}
	}
	return missing, nil
}

// ensureFields records the system fields an org lacks, inside tx.
func (s *Service) ensureFields(ctx context.Context, tx crmguard.Store, org crmguard.ID) error {
	missing, err := s.missingFields(ctx, tx, org)
	if err != nil {
		return err
	}
	now := s.Now()
	for _, sf := range missing {
		f := &crmguard.Field{ID: s.ids.New(), OrgID: org, Module: crmguard.ModuleUsers, APIName: sf.api, Label: sf.label,
			Type: sf.typ, Length: sf.length, PickList: sf.pick, Mandatory: sf.mandatory, ReadOnly: sf.readOnly, CreatedTime: now}
		if err := tx.CreateField(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// NewField is a custom field to add.
type NewField struct {
	Label    string
	Type     string // a key of CustomFieldTypes
	Length   int    // 0: the type's default
	Decimals int    // currency only; 0 with Length 0: 2
	PickList []string
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// apiNameFor derives a field's API name from its label as Zoho does:
// "Employee Number" becomes Employee_Number.
func apiNameFor(label string) string {
	n := strings.Trim(nonWord.ReplaceAllString(label, "_"), "_")
	if n == "" || unicode.IsDigit(rune(n[0])) {
		n = "Field_" + n
	}
	return strings.TrimSuffix(n, "_")
}

func invalidField(reason string, details crmguard.Details) error {
	if details == nil {
		details = crmguard.Details{}
	}
	details["reason"] = reason
	return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", details)
}

// AddField adds a custom field to the Users module. Its API name comes from
// the label; a clash with an existing name gets a numeric suffix.
func (s *Service) AddField(ctx context.Context, a crmguard.Actor, nf NewField) (*crmguard.Field, error) {
	label := strings.TrimSpace(nf.Label)
	if !cleanText(label) {
		return nil, invalidField("the label must be valid UTF-8 text without NUL characters", crmguard.Details{"api_name": "field_label"})
	}
	if label == "" || utf8.RuneCountInString(label) > maxLabel {
		return nil, invalidField(fmt.Sprintf("the label must have 1 to %d characters", maxLabel), crmguard.Details{"api_name": "field_label", "maximum_length": maxLabel})
	}
	typ, ok := CustomFieldTypes[strings.ToLower(nf.Type)]
	if !ok {
		return nil, invalidField("unknown field type "+nf.Type, crmguard.Details{"api_name": "data_type",
			"supported_values": []string{"single-line", "multi-line", "number", "currency", "url", "email", "date", "checkbox", "picklist"}})
	}
	f := &crmguard.Field{OrgID: a.OrgID, Module: crmguard.ModuleUsers, Label: label, Type: typ, Custom: true,
		Length: nf.Length, Decimals: nf.Decimals, CreatedBy: a.UserID}
	if err := sizeField(f, nf); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		have, err := tx.ListFields(ctx, a.OrgID, crmguard.ModuleUsers)
		if err != nil {
			return err
		}
		taken := map[string]bool{}
		for _, h := range have {
			if strings.EqualFold(h.Label, label) {
				return crmguard.NewError(crmguard.CodeDuplicateData, "duplicate data", crmguard.Details{"api_name": "field_label", "id": h.ID.String()})
			}
			taken[strings.ToLower(h.APIName)] = true
		}
		f.APIName = apiNameFor(label)
		for i := 1; taken[strings.ToLower(f.APIName)] || reservedUserKey[strings.ToLower(f.APIName)]; i++ {
			f.APIName = fmt.Sprintf("%s_%d", apiNameFor(label), i)
		}
		f.ID, f.CreatedTime = s.ids.New(), s.Now()
		if err := tx.CreateField(ctx, f); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "field.add", "field", f.ID, nil, map[string]any{
			"module": f.Module, "api_name": f.APIName, "label": f.Label, "data_type": f.Type,
			"length": f.Length, "decimals": f.Decimals, "pick_list_values": f.PickList})
	})
	if errors.Is(err, crmguard.ErrConflict) {
		return nil, crmguard.NewError(crmguard.CodeDuplicateData, "duplicate data", crmguard.Details{"api_name": "field_label"})
	}
	return f, err
}

// sizeField applies the type's default and maximum sizes.
func sizeField(f *crmguard.Field, nf NewField) error {
	tooLong := func(max int) error {
		return invalidField(fmt.Sprintf("length must be 1 to %d", max), crmguard.Details{"api_name": "length", "maximum_length": max})
	}
	if f.Length < 0 || f.Decimals < 0 {
		return invalidField("length and decimals cannot be negative", crmguard.Details{"api_name": "length"})
	}
	if f.Type != crmguard.FieldCurrency && f.Decimals != 0 {
		return invalidField("only currency fields have decimal places", crmguard.Details{"api_name": "decimal_place"})
	}
	if f.Type != crmguard.FieldPicklist && len(nf.PickList) > 0 {
		return invalidField("only pick lists have values", crmguard.Details{"api_name": "pick_list_values"})
	}
	switch f.Type {
	case crmguard.FieldText:
		if f.Length == 0 {
			f.Length = maxTextLength
		} else if f.Length > maxTextLength {
			return tooLong(maxTextLength)
		}
	case crmguard.FieldTextarea:
		if f.Length == 0 {
			f.Length = 2000
		} else if f.Length > maxAreaLength {
			return tooLong(maxAreaLength)
		}
	case crmguard.FieldInteger:
		if f.Length == 0 {
			f.Length = 9
		} else if f.Length > 9 {
			return tooLong(9)
		}
	case crmguard.FieldCurrency:
		if f.Length == 0 {
			f.Length = maxNumberDigits
			if f.Decimals == 0 {
				f.Decimals = 2
			}
		} else if f.Length > maxNumberDigits {
			return tooLong(maxNumberDigits)
		}
		if f.Decimals > maxDecimals || f.Decimals >= f.Length {
			return invalidField(fmt.Sprintf("decimal places must be 0 to %d and fewer than the digits", maxDecimals), crmguard.Details{"api_name": "decimal_place"})
		}
	case crmguard.FieldWebsite:
		f.Length = 255
	case crmguard.FieldEmail:
		f.Length = 100
	case crmguard.FieldDate, crmguard.FieldBoolean:
		if f.Length != 0 {
			return invalidField("this type has no length", crmguard.Details{"api_name": "length"})
		}
	case crmguard.FieldPicklist:
		seen := map[string]bool{}
		for _, v := range nf.PickList {
			v = strings.TrimSpace(v)
			if !cleanText(v) {
				return invalidField("pick list values must be valid UTF-8 text without NUL characters", crmguard.Details{"api_name": "pick_list_values"})
			}
			if v == "" || utf8.RuneCountInString(v) > 120 {
				return invalidField("pick list values must have 1 to 120 characters", crmguard.Details{"api_name": "pick_list_values"})
			}
			if seen[strings.ToLower(v)] {
				return invalidField("pick list value "+v+" is repeated", crmguard.Details{"api_name": "pick_list_values"})
			}
			seen[strings.ToLower(v)] = true
			f.PickList = append(f.PickList, v)
		}
		if len(f.PickList) == 0 || len(f.PickList) > maxPickValues {
			return invalidField(fmt.Sprintf("a pick list needs 1 to %d values", maxPickValues), crmguard.Details{"api_name": "pick_list_values"})
		}
		f.Length = 120
	}
	return nil
}
