package zohoapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// userView holds what rendering users needs besides the users: names of
// roles, profiles and referenced users, the org's custom fields and time
// zone. It is built once per org and change epoch (see meta.go).
type userView struct {
	loc      *time.Location
	spelling userSpelling
	roles    map[crmguard.ID]string
	profiles map[crmguard.ID]string
	names    map[crmguard.ID]string
	// firstLast holds the first and last names of modifiers, for v8.
	firstLast map[crmguard.ID][2]string
	custom    []*crmguard.Field
	now       time.Time
}

// userSpelling is how a version spells a user's keys: v2 and v2.1
// capitalise Created_By and Created_Time; v8 gives Modified_By the owner
// object, with first_name and last_name, of the Users schema of Zoho's
// OpenAPI file for v8.0 (https://github.com/zoho/crm-oas/blob/main/v8.0/users.json,
// "Modified_By": owner, which requires name, id, first_name, last_name),
// where the samples of v2 to v7 show {name, id}
// (https://www.zoho.com/crm/developer/docs/api/v2/get-users.html). The
// OpenAPI file's own sample (v8.0/users/operations/getUsers/examples)
// shows {name, id}, against its schema; the schema is what v8 clients
// generated from the file decode.
type userSpelling uint8

const (
	spellingV3 userSpelling = iota // v3 to v7
	spellingV2                     // v2 and v2.1
	spellingV8                     // v8
)

// spellingOf is the spelling of the request's version.
func spellingOf(r *http.Request) userSpelling {
	switch v := r.PathValue("version"); {
	case v == "v2" || v == "v2.1":
		return spellingV2
	case compareVersions(v, "v8") >= 0:
		return spellingV8
	}
	return spellingV3
}

// Defaults of the preference fields of a user who never set them.
var userDefaults = map[string]string{
	"language": "en_US", "country_locale": "en_US", "time_format": "hh:mm a", "date_format": "MM/dd/yyyy",
	"decimal_separator": "Period", "number_separator": "Comma",
	"name_format__s": "Salutation,First Name,Last Name", "sort_order_preference__s": "First Name,Last Name",
}

// zones caches loaded time zones: time.LoadLocation reads the zone database
// on every call.
var zones sync.Map

func zone(name string) *time.Location {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	zones.Store(name, loc)
	return loc
}

// jw appends one JSON object's members.
type jw struct {
	b     []byte
	first bool
}

func (w *jw) key(k string) {
	if w.first {
		w.first = false
	} else {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

// str writes a string member; "" is null, as Zoho sends unset fields.
func (w *jw) str(k, v string) {
	w.key(k)
	if v == "" {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = appendString(w.b, v)
}

func (w *jw) boolean(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jw) id(k string, id crmguard.ID) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = strconv.AppendInt(w.b, int64(id), 10)
	w.b = append(w.b, '"')
}

// ref writes {"name":...,"id":...}, or null for no ID.
func (w *jw) ref(k string, name string, id crmguard.ID) {
	w.key(k)
	if id == 0 {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, `{"name":`...)
	if name == "" {
		w.b = append(w.b, "null"...)
	} else {
		w.b = appendString(w.b, name)
	}
	w.b = append(w.b, `,"id":"`...)
	w.b = strconv.AppendInt(w.b, int64(id), 10)
	w.b = append(w.b, '"', '}')
}

// owner writes v8's owner object {name, id, first_name, last_name}, or
// null for no ID.
func (w *jw) owner(k, name string, id crmguard.ID, fl [2]string) {
	if id == 0 {
		w.key(k)
		w.b = append(w.b, "null"...)
		return
	}
	w.key(k)
	o := jw{b: append(w.b, '{'), first: true}
	o.str("name", name)
	o.id("id", id)
	o.str("first_name", fl[0])
	o.str("last_name", fl[1])
	w.b = append(o.b, '}')
}

func (w *jw) time(k string, t time.Time, loc *time.Location) {
	w.key(k)
	if t.IsZero() {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '"')
	w.b = t.In(loc).AppendFormat(w.b, zohoTime)
	w.b = append(w.b, '"')
}

func (w *jw) raw(k string, v json.RawMessage) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, v...)
}

// extra writes an optional field from u.Extra, or its default, or null.
func (w *jw) extra(u *crmguard.User, k string) {
	if v, ok := u.Extra[k]; ok {
		w.raw(k, v)
		return
	}
	w.str(k, userDefaults[k])
}

// appendUser appends the JSON of one user, as GET /users answers it
// (https://www.zoho.com/crm/developer/docs/api/v8/get-users.html).
func (v *userView) appendUser(b []byte, u *crmguard.User) []byte {
	w := jw{b: append(b, '{'), first: true}
	w.id("id", u.ID)
	w.str("first_name", u.FirstName)
	w.str("last_name", u.LastName)
	w.str("full_name", u.FullName())
	w.str("email", u.Email)
	w.ref("role", v.roles[u.RoleID], u.RoleID)
	w.ref("profile", v.profiles[u.ProfileID], u.ProfileID)
	w.str("status", u.Status)
	w.boolean("confirm", u.Confirmed)
	// Zoho Accounts' user ID, not the CRM ID (GET /oauth/user/info).
	w.id("zuid", crmguard.ID(u.ZUID))
	w.str("time_zone", u.TimeZone)
	w.key("offset")
	_, off := v.now.In(zone(u.TimeZone)).Zone()
	w.b = strconv.AppendInt(w.b, int64(off)*1000, 10)
	w.str("locale", u.Locale)
	for _, k := range []string{"language", "country_locale", "time_format", "date_format", "decimal_separator",
		"number_separator", "name_format__s", "sort_order_preference__s", "Currency", "alias", "phone", "mobile",
		"fax", "website", "street", "city", "state", "zip", "country", "signature", "dob"} {
		w.extra(u, k)
	}
	w.ref("Reporting_To", v.names[u.ReportingTo], u.ReportingTo)
	w.boolean("Isonline", false)
	w.str("category", "regular_user")
	w.str("status_reason__s", "")
	w.boolean("microsoft", false)
	w.boolean("personal_account", false)
	w.boolean("sandboxDeveloper", false)
	w.str("default_tab_group", "0")
	if v.spelling == spellingV2 {
		w.ref("Created_By", v.names[u.CreatedBy], u.CreatedBy)
		w.time("Created_Time", u.CreatedTime, v.loc)
	} else {
		w.ref("created_by", v.names[u.CreatedBy], u.CreatedBy)
		w.time("created_time", u.CreatedTime, v.loc)
	}
	if v.spelling == spellingV8 {
		w.owner("Modified_By", v.names[u.ModifiedBy], u.ModifiedBy, v.firstLast[u.ModifiedBy])
	} else {
		w.ref("Modified_By", v.names[u.ModifiedBy], u.ModifiedBy)
	}
	w.time("Modified_Time", u.ModifiedTime, v.loc)
	for _, f := range v.custom {
		w.raw(f.APIName, u.Extra[f.APIName])
	}
	return append(w.b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// without its HTML escaping; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
