package service

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	_ "time/tzdata" // time zones resolve on hosts without a zoneinfo database

	"github.com/crmguard/crmguard"
)

// ignoredUserKeys are keys the API returns but nobody writes: a client that
// sends back a user it fetched gets them ignored, not refused.
var ignoredUserKeys = map[string]bool{
	"full_name": true, "confirm": true, "Isonline": true, "created_by": true, "created_time": true,
	"Created_By": true, "Created_Time": true, "Modified_By": true, "Modified_Time": true, "zuid": true,
	"offset": true, "category": true, "microsoft": true, "personal_account": true, "sandboxDeveloper": true,
	"default_tab_group": true, "status_reason__s": true, "customize_info": true, "theme": true,
	"$current_shift": true, "$next_shift": true, "$shift_effective_from": true, "name": true,
	"image_link": true, "ezuid": true, "territories": true, "Tag": true, "ntc_enabled": true,
	"ntc_notification_type": true, "rtl_enabled": true, "telephony_enabled": true, "imap_status": true,
	"sort_order_preference": true, "id": true,
}

// reservedUserKey holds, lower-cased, every key of a user object that is
// not a custom field: custom fields cannot take these API names.
var reservedUserKey = func() map[string]bool {
	m := map[string]bool{}
	for k := range ignoredUserKeys {
		m[strings.ToLower(k)] = true
	}
	for _, f := range userSystemFields {
		m[strings.ToLower(f.api)] = true
	}
	return m
}()

// UserInput is one user record of an add or an update, as a transport
// decoded it: a nil field was not given. The typed fields hold what decoded
// to its type (a string, null as ""; an ID, null as 0). Fields holds every
// other key by API name with its JSON value: the optional and custom
// fields, the read-only keys a client echoes back, unknown keys, and any
// standard key whose value did not decode to its type. Validate judges
// them all against the org's field layout, in one order, by API name, as
// Zoho names the first bad key.
type UserInput struct {
	FirstName, LastName, Email *string
	Status, TimeZone, Locale   *string
	Role, Profile, ReportingTo *crmguard.ID
	Fields                     map[string]json.RawMessage
}

// text and ref return the typed field an API name decodes into, or nil.
func (in *UserInput) text(api string) **string {
	switch api {
	case "first_name":
		return &in.FirstName
	case "last_name":
		return &in.LastName
	case "email":
		return &in.Email
	case "status":
		return &in.Status
	case "time_zone":
		return &in.TimeZone
	case "locale":
		return &in.Locale
	}
	return nil
}

func (in *UserInput) ref(api string) **crmguard.ID {
	switch api {
	case "role":
		return &in.Role
	case "profile":
		return &in.Profile
	case "Reporting_To":
		return &in.ReportingTo
	}
	return nil
}

// userTypedKeys are the API names of UserInput's typed fields.
var userTypedKeys = []string{"first_name", "last_name", "email", "status", "time_zone", "locale", "role", "profile", "Reporting_To"}

// keys returns the API names given, sorted.
func (in *UserInput) keys() []string {
	var ks []string
	for _, k := range userTypedKeys {
		if p := in.text(k); p != nil && *p != nil {
			ks = append(ks, k)
		} else if r := in.ref(k); r != nil && *r != nil {
			ks = append(ks, k)
		} else if _, ok := in.Fields[k]; ok {
			ks = append(ks, k)
		}
	}
	for k := range in.Fields {
		if in.text(k) == nil && in.ref(k) == nil {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// blank reports whether a mandatory key is missing, null or "".
func (in *UserInput) blank(api string) bool {
	if p := in.text(api); p != nil && *p != nil {
		return **p == ""
	}
	if r := in.ref(api); r != nil && *r != nil {
		return **r == 0
	}
	v, ok := in.Fields[api]
	t := strings.TrimSpace(string(v))
	return !ok || t == "null" || t == `""`
}

// Zoho's messages for the Users API, as its error tables word them.
const (
	msgMandatory     = "One of the mandatory key is missing."
	msgInvalidID     = "The ID given seems to be invalid"
	msgDuplicateUser = "Failed to add user as the email id is already present."
	msgLicense       = "Request exceeds your license limit. Need to upgrade in order to add"
)

// Validate checks the record against the module's fields and leaves it in
// canonical form: trimmed e-mail, pick-list values in the list's case,
// numbers as written back; Fields keeps only the optional and custom fields
// to store (nil clears one). The error is the first bad key's, by API name.
func (in *UserInput) Validate(layout []*crmguard.Field) error {
	byName := make(map[string]*crmguard.Field, len(layout))
	for _, f := range layout {
		byName[f.APIName] = f
	}
	for _, k := range in.keys() {
		raw, isRaw := in.Fields[k]
		delete(in.Fields, k)
		if ignoredUserKeys[k] {
			continue
		}
		f, ok := byName[k]
		if !ok || f.ReadOnly {
			return badValue(k, nil)
		}
		if f.Type == crmguard.FieldLookup {
			var id crmguard.ID
			if r := in.ref(k); r != nil && *r != nil && !isRaw {
				id = **r
			} else {
				var err error
				if id, err = lookupID(raw, k); err != nil {
					return err
				}
			}
			switch k {
			case "role", "profile":
				if id == 0 {
					return recordErr(crmguard.CodeMandatoryNotFound, msgMandatory, k, nil)
				}
			}
			if r := in.ref(k); r != nil {
				*r = &id
			}
			continue
		}
		var v json.RawMessage
		var err error
		if p := in.text(k); p != nil && *p != nil && !isRaw {
			v, err = checkText(f, **p)
		} else {
			v, err = checkValue(f, raw)
		}
		if err != nil {
			return err
		}
		var s string
		if v != nil && v[0] == '"' {
			_ = json.Unmarshal(v, &s)
		}
		switch k {
		case "last_name", "email":
			if s == "" {
				return recordErr(crmguard.CodeMandatoryNotFound, msgMandatory, k, nil)
			}
		case "status":
			if s == "" {
				return badValue(k, crmguard.Details{"expected_data_type": "picklist", "supported_values": userStatusChoices})
			}
		case "time_zone":
			if s != "" {
				if _, err := time.LoadLocation(s); err != nil || s == "Local" {
					return badValue(k, crmguard.Details{"expected_data_type": "time_zone"})
				}
			}
		case "Currency":
			if s != "" && !currencyCode.MatchString(s) {
				return badValue(k, crmguard.Details{"expected_data_type": "currency_code"})
			}
		}
		if p := in.text(k); p != nil {
			*p = &s
			continue
		}
		if in.Fields == nil {
			in.Fields = map[string]json.RawMessage{}
		}
		in.Fields[k] = v
	}
	return nil
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// lookupID reads an ID given as "123", 123 or {"id":"123"} (the SDKs send
// the object form); null is 0, which clears.
func lookupID(raw json.RawMessage, api string) (crmguard.ID, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return 0, nil
	}
	if len(raw) > 0 && raw[0] == '{' {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil || obj["id"] == nil {
			return 0, badValue(api, crmguard.Details{"expected_data_type": "jsonobject"})
		}
		raw = obj["id"]
	}
	var id crmguard.ID
	if json.Unmarshal(raw, &id) != nil || id == 0 {
		return 0, badValue(api, crmguard.Details{"expected_data_type": "bigint"})
	}
	return id, nil
}

var (
	datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	hostPattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$|^localhost$`)
)

// checkValue validates a JSON value for a field and returns it canonical,
// or nil when it clears the field (null or "").
func checkValue(f *crmguard.Field, raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	switch f.Type {
	case crmguard.FieldBoolean:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, badValue(f.APIName, crmguard.Details{"expected_data_type": "boolean"})
		}
		return json.RawMessage(strconv.FormatBool(b)), nil
	case crmguard.FieldInteger, crmguard.FieldCurrency:
		return checkNumber(f, raw)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, badValue(f.APIName, crmguard.Details{"expected_data_type": "string"})
	}
	return checkText(f, s)
}

// checkText validates a string for a text-like field and returns it as
// canonical JSON, or nil when it clears the field ("").
func checkText(f *crmguard.Field, s string) (json.RawMessage, error) {
	expect := func(t string) error {
		return badValue(f.APIName, crmguard.Details{"expected_data_type": t})
	}
	if !cleanText(s) {
		return nil, expect("text")
	}
	if f.Type == crmguard.FieldEmail || f.Type == crmguard.FieldWebsite || f.Type == crmguard.FieldDate {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return nil, nil
	}
	if f.Length > 0 && utf8.RuneCountInString(s) > f.Length {
		return nil, badValue(f.APIName, crmguard.Details{"maximum_length": f.Length})
	}
	switch f.Type {
	case crmguard.FieldText, crmguard.FieldPhone:
		if strings.ContainsAny(s, "\r\n") {
			return nil, expect("text")
		}
	case crmguard.FieldEmail:
		if !validEmail(s) {
			return nil, expect("email")
		}
	case crmguard.FieldWebsite:
		if !validWebsite(s) {
			return nil, expect("website")
		}
	case crmguard.FieldDate:
		if _, err := time.Parse("2006-01-02", s); err != nil || !datePattern.MatchString(s) {
			return nil, expect("date")
		}
	case crmguard.FieldPicklist:
		found := false
		for _, v := range f.PickList {
			if strings.EqualFold(v, s) {
				s, found = v, true
				break
			}
		}
		if !found {
			return nil, badValue(f.APIName, crmguard.Details{"expected_data_type": "picklist", "supported_values": f.PickList})
		}
	}
	b, _ := json.Marshal(s)
	return b, nil
}

// checkNumber validates an integer or currency value: a JSON number with at
// most Length digits, and for currency at most Decimals decimal places.
func checkNumber(f *crmguard.Field, raw json.RawMessage) (json.RawMessage, error) {
	typ := "integer"
	if f.Type == crmguard.FieldCurrency {
		typ = "double"
	}
	s := string(raw)
	if s == "" || strings.ContainsAny(s, "eE\"") || !json.Valid(raw) {
		return nil, badValue(f.APIName, crmguard.Details{"expected_data_type": typ})
	}
	intPart, frac, hasFrac := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if strings.Trim(intPart+frac, "0123456789") != "" {
		return nil, badValue(f.APIName, crmguard.Details{"expected_data_type": typ})
	}
	if hasFrac {
		frac = strings.TrimRight(frac, "0")
		if f.Type == crmguard.FieldInteger && frac != "" {
			return nil, badValue(f.APIName, crmguard.Details{"expected_data_type": typ})
		}
		if len(frac) > f.Decimals {
			return nil, badValue(f.APIName, crmguard.Details{"expected_data_type": typ, "decimal_place": f.Decimals})
		}
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart)+len(frac) > f.Length || (f.Type == crmguard.FieldInteger && len(intPart) > f.Length) {
		return nil, badValue(f.APIName, crmguard.Details{"maximum_length": f.Length})
	}
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if strings.HasPrefix(s, "-") && out != "0" {
		out = "-" + out
	}
	return json.RawMessage(out), nil
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return hostPattern.MatchString(domain)
}

// validWebsite accepts what Zoho's URL fields take: an address with or
// without its scheme, e.g. www.zoho.com.
func validWebsite(s string) bool {
	if strings.ContainsAny(s, " \t") {
		return false
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp") {
		return false
	}
	return hostPattern.MatchString(u.Hostname())
}
