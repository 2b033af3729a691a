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

// userInput is one validated user record of a POST or PUT: the columns it
// sets (nil: not given) and the optional and custom fields (nil value:
// cleared).
type userInput struct {
	firstName, lastName, email *string
	role, profile, reportingTo *crmguard.ID
	status                     *string
	timeZone, locale           *string
	extra                      map[string]json.RawMessage
	keys                       []string // the API names given, sorted
}

// recordErr is a per-record validation error with Zoho's api_name and
// json_path details.
func recordErr(code, msg, api, path string, more crmguard.Details) *crmguard.Error {
	d := crmguard.Details{"api_name": api, "json_path": path + "." + api}
	for k, v := range more {
		d[k] = v
	}
	return crmguard.NewError(code, msg, d)
}

func badValue(api, path string, more crmguard.Details) *crmguard.Error {
	return recordErr(crmguard.CodeInvalidData, "invalid data", api, path, more)
}

// Zoho's messages for the Users API (the brief's error table).
const (
	msgMandatory     = "One of the mandatory key is missing."
	msgInvalidID     = "The ID given seems to be invalid"
	msgDuplicateUser = "Failed to add user as the email id is already present."
	msgLicense       = "Request exceeds your license limit. Need to upgrade in order to add"
)

// parseUserInput validates one record against the module's fields. path is
// the record's JSON path, e.g. $.users[0].
func parseUserInput(rec map[string]json.RawMessage, fields []*crmguard.Field, path string) (*userInput, *crmguard.Error) {
	byName := make(map[string]*crmguard.Field, len(fields))
	for _, f := range fields {
		byName[f.APIName] = f
	}
	in := &userInput{}
	for k := range rec {
		in.keys = append(in.keys, k)
	}
	sort.Strings(in.keys)
	for _, k := range in.keys {
		raw := rec[k]
		if ignoredUserKeys[k] {
			continue
		}
		f, ok := byName[k]
		if !ok || f.ReadOnly {
			return nil, badValue(k, path, nil)
		}
		if f.Type == crmguard.FieldLookup {
			id, isNull, err := lookupID(raw, k, path)
			if err != nil {
				return nil, err
			}
			switch k {
			case "role":
				if isNull {
					return nil, recordErr(crmguard.CodeMandatoryNotFound, msgMandatory, k, path, nil)
				}
				in.role = &id
			case "profile":
				if isNull {
					return nil, recordErr(crmguard.CodeMandatoryNotFound, msgMandatory, k, path, nil)
				}
				in.profile = &id
			case "Reporting_To":
				in.reportingTo = &id
			}
			continue
		}
		v, err := checkValue(f, raw, path)
		if err != nil {
			return nil, err
		}
		var s string
		if v != nil && v[0] == '"' {
			_ = json.Unmarshal(v, &s)
		}
		switch k {
		case "first_name":
			in.firstName = &s
		case "last_name":
			if s == "" {
				return nil, recordErr(crmguard.CodeMandatoryNotFound, msgMandatory, k, path, nil)
			}
			in.lastName = &s
		case "email":
			if s == "" {
				return nil, recordErr(crmguard.CodeMandatoryNotFound, msgMandatory, k, path, nil)
			}
			in.email = &s
		case "status":
			if s == "" {
				return nil, badValue(k, path, crmguard.Details{"expected_data_type": "picklist", "supported_values": userStatusChoices})
			}
			in.status = &s
		case "time_zone":
			if s != "" {
				if _, err := time.LoadLocation(s); err != nil || s == "Local" {
					return nil, badValue(k, path, crmguard.Details{"expected_data_type": "time_zone"})
				}
			}
			in.timeZone = &s
		case "locale":
			in.locale = &s
		case "Currency":
			if s != "" && !currencyCode.MatchString(s) {
				return nil, badValue(k, path, crmguard.Details{"expected_data_type": "currency_code"})
			}
			fallthrough
		default:
			if in.extra == nil {
				in.extra = map[string]json.RawMessage{}
			}
			in.extra[k] = v
		}
	}
	return in, nil
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// lookupID reads an ID given as "123" or {"id":"123"} (the SDKs send the
// object form); null clears.
func lookupID(raw json.RawMessage, api, path string) (crmguard.ID, bool, *crmguard.Error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return 0, true, nil
	}
	var s string
	if len(raw) > 0 && raw[0] == '{' {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil || obj["id"] == nil {
			return 0, false, badValue(api, path, crmguard.Details{"expected_data_type": "jsonobject"})
		}
		raw = obj["id"]
	}
	if json.Unmarshal(raw, &s) != nil {
		// A number is taken as the SDKs' long IDs are.
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return 0, false, badValue(api, path, crmguard.Details{"expected_data_type": "bigint"})
		}
		s = n.String()
	}
	id, ok := crmguard.ParseID(s)
	if !ok {
		return 0, false, badValue(api, path, crmguard.Details{"expected_data_type": "bigint"})
	}
	return id, false, nil
}

var (
	datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	hostPattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$|^localhost$`)
)

// checkValue validates a value for a field and returns it canonical, or
// nil when it clears the field (null or "").
func checkValue(f *crmguard.Field, raw json.RawMessage, path string) (json.RawMessage, *crmguard.Error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	expect := func(t string) *crmguard.Error {
		return badValue(f.APIName, path, crmguard.Details{"expected_data_type": t})
	}
	switch f.Type {
	case crmguard.FieldBoolean:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, expect("boolean")
		}
		return json.RawMessage(strconv.FormatBool(b)), nil
	case crmguard.FieldInteger, crmguard.FieldCurrency:
		return checkNumber(f, raw, path)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, expect("string")
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
		return nil, badValue(f.APIName, path, crmguard.Details{"maximum_length": f.Length})
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
			return nil, badValue(f.APIName, path, crmguard.Details{"expected_data_type": "picklist", "supported_values": f.PickList})
		}
	}
	b, _ := json.Marshal(s)
	return b, nil
}

// checkNumber validates an integer or currency value: a JSON number with at
// most Length digits, and for currency at most Decimals decimal places.
func checkNumber(f *crmguard.Field, raw json.RawMessage, path string) (json.RawMessage, *crmguard.Error) {
	typ := "integer"
	if f.Type == crmguard.FieldCurrency {
		typ = "double"
	}
	s := string(raw)
	if s == "" || strings.ContainsAny(s, "eE\"") || !json.Valid(raw) {
		return nil, badValue(f.APIName, path, crmguard.Details{"expected_data_type": typ})
	}
	intPart, frac, hasFrac := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if strings.Trim(intPart+frac, "0123456789") != "" {
		return nil, badValue(f.APIName, path, crmguard.Details{"expected_data_type": typ})
	}
	if hasFrac {
		frac = strings.TrimRight(frac, "0")
		if f.Type == crmguard.FieldInteger && frac != "" {
			return nil, badValue(f.APIName, path, crmguard.Details{"expected_data_type": typ})
		}
		if len(frac) > f.Decimals {
			return nil, badValue(f.APIName, path, crmguard.Details{"expected_data_type": typ, "decimal_place": f.Decimals})
		}
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart)+len(frac) > f.Length || (f.Type == crmguard.FieldInteger && len(intPart) > f.Length) {
		return nil, badValue(f.APIName, path, crmguard.Details{"maximum_length": f.Length})
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
