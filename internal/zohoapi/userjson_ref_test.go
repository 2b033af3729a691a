package zohoapi

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// refJW is the member writer of refAppendUser: it appends one JSON object's members.
type refJW struct {
	b     []byte
	first bool
}

func (w *refJW) key(k string) {
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
func (w *refJW) str(k, v string) {
	w.key(k)
	if v == "" {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = refAppendString(w.b, v)
}

func (w *refJW) boolean(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *refJW) id(k string, id crmguard.ID) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = strconv.AppendInt(w.b, int64(id), 10)
	w.b = append(w.b, '"')
}

// ref writes {"name":...,"id":...}, or null for no ID.
func (w *refJW) ref(k string, name string, id crmguard.ID) {
	w.key(k)
	if id == 0 {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, `{"name":`...)
	if name == "" {
		w.b = append(w.b, "null"...)
	} else {
		w.b = refAppendString(w.b, name)
	}
	w.b = append(w.b, `,"id":"`...)
	w.b = strconv.AppendInt(w.b, int64(id), 10)
	w.b = append(w.b, '"', '}')
}

// owner writes v8's owner object {name, id, first_name, last_name}, or
// null for no ID.
func (w *refJW) owner(k, name string, id crmguard.ID, fl [2]string) {
	if id == 0 {
		w.key(k)
		w.b = append(w.b, "null"...)
		return
	}
	w.key(k)
	o := refJW{b: append(w.b, '{'), first: true}
	o.str("name", name)
	o.id("id", id)
	o.str("first_name", fl[0])
	o.str("last_name", fl[1])
	w.b = append(o.b, '}')
}

func (w *refJW) time(k string, t time.Time, loc *time.Location) {
	w.key(k)
	if t.IsZero() {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '"')
	w.b = t.In(loc).AppendFormat(w.b, zohoTime)
	w.b = append(w.b, '"')
}

func (w *refJW) raw(k string, v json.RawMessage) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, v...)
}

// extra writes an optional field from u.Extra, or its default, or null.
func (w *refJW) extra(u *crmguard.User, k string) {
	if v, ok := u.Extra[k]; ok {
		w.raw(k, v)
		return
	}
	w.str(k, userDefaults[k])
}

// refAppendUser is appendUser as it was before it was made faster, kept
// as the reference its output must match byte for byte. It appends the JSON of one user, as GET /users answers it
// (https://www.zoho.com/crm/developer/docs/api/v8/get-users.html).
func (v *userView) refAppendUser(b []byte, u *crmguard.User) []byte {
	w := refJW{b: append(b, '{'), first: true}
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

// refAppendString is appendString as it was. It appends s as a JSON string, escaping as encoding/json does
// without its HTML escaping; invalid UTF-8 becomes U+FFFD.
func refAppendString(b []byte, s string) []byte {
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
