package zohoapi

import (
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
	// since is the change sequence the view's data is as new as: the
	// caller's start, or older when it shows a name kept from before.
	since uint64

	// What appendUser keeps from one user to the next.
	created, modified timeMemo
	role, profile     refMemo
	reports, creator  refMemo
	modifier          refMemo
	tz                string
	tzOff             int64
	tzSet             bool
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

// appendText appends a string member's value; "" is null, as Zoho sends
// unset fields.
func appendText(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// appendRef appends {"name":...,"id":"..."}, or null for no ID.
func appendRef(b []byte, name string, id crmguard.ID) []byte {
	if id == 0 {
		return append(b, "null"...)
	}
	b = append(b, `{"name":`...)
	b = appendText(b, name)
	b = append(b, `,"id":"`...)
	b = strconv.AppendInt(b, int64(id), 10)
	return append(b, '"', '}')
}

// appendOwner appends v8's owner object {name, id, first_name,
// last_name}, or null for no ID.
func appendOwner(b []byte, name string, id crmguard.ID, fl [2]string) []byte {
	if id == 0 {
		return append(b, "null"...)
	}
	b = append(b, `{"name":`...)
	b = appendText(b, name)
	b = append(b, `,"id":"`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `","first_name":`...)
	b = appendText(b, fl[0])
	b = append(b, `,"last_name":`...)
	b = appendText(b, fl[1])
	return append(b, '}')
}

// refMemo holds the last reference a view encoded for one member: a
// page's users mostly share their role, profile, manager, creator and
// modifier. A view's names do not change while it lives.
type refMemo struct {
	id   crmguard.ID
	set  bool
	text []byte // in buf unless it outgrew it
	buf  [96]byte
}

// appendRef appends appendRef(b, names[id], id).
func (m *refMemo) appendRef(b []byte, names map[crmguard.ID]string, id crmguard.ID) []byte {
	if !m.set || m.id != id {
		m.text = appendRef(m.buf[:0], names[id], id)
		m.id, m.set = id, true
	}
	return append(b, m.text...)
}

// appendOwner appends appendOwner(b, names[id], id, firstLast[id]).
func (m *refMemo) appendOwner(b []byte, names map[crmguard.ID]string, firstLast map[crmguard.ID][2]string, id crmguard.ID) []byte {
	if !m.set || m.id != id {
		m.text = appendOwner(m.buf[:0], names[id], id, firstLast[id])
		m.id, m.set = id, true
	}
	return append(b, m.text...)
}

// appendFullName appends u.FullName() as appendText would, without
// building it: escaping is per character, so the two names escaped apart
// around the space are the name escaped whole.
func appendFullName(b []byte, first, last string) []byte {
	switch {
	case first == "":
		return appendText(b, last)
	case last == "":
		return appendText(b, first)
	}
	b = append(b, '"')
	b = appendStringBody(b, first)
	b = append(b, ' ')
	b = appendStringBody(b, last)
	return append(b, '"')
}

// timeMemo holds the last time a view formatted for one member: a page's
// users were mostly created, and modified, in the same second.
type timeMemo struct {
	sec  int64
	set  bool
	text []byte // "2006-01-02T15:04:05-07:00", quoted, in buf
	buf  [32]byte
}

// appendTime appends t in Zoho's format in the view's zone, or null for
// the zero time.
func (v *userView) appendTime(b []byte, m *timeMemo, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	if sec := t.Unix(); !m.set || m.sec != sec {
		m.text = append(t.In(v.loc).AppendFormat(append(m.buf[:0], '"'), zohoTime), '"')
		m.sec, m.set = sec, true
	}
	return append(b, m.text...)
}

// offset is the UTC offset, in milliseconds, of the zone named tz at the
// view's now; the last zone's is kept, as a page's users mostly share one.
func (v *userView) offset(tz string) int64 {
	if !v.tzSet || v.tz != tz {
		_, off := v.now.In(zone(tz)).Zone()
		v.tz, v.tzOff, v.tzSet = tz, int64(off)*1000, true
	}
	return v.tzOff
}

// userPrefs are the optional system fields, in Zoho's order, each with
// its member's opening and the value written when the user has none.
var userPrefs = func() []struct{ key, open, unset string } {
	keys := []string{"language", "country_locale", "time_format", "date_format", "decimal_separator",
		"number_separator", "name_format__s", "sort_order_preference__s", "Currency", "alias", "phone", "mobile",
		"fax", "website", "street", "city", "state", "zip", "country", "signature", "dob"}
	out := make([]struct{ key, open, unset string }, len(keys))
	for i, k := range keys {
		out[i].key, out[i].open, out[i].unset = k, `,"`+k+`":`, string(appendText(nil, userDefaults[k]))
	}
	return out
}()

// unsetPrefs is every member of userPrefs for a user who set none.
var unsetPrefs = func() string {
	var b []byte
	for _, p := range userPrefs {
		b = append(append(b, p.open...), p.unset...)
	}
	return string(b)
}()

// appendUser appends the JSON of one user, as GET /users answers it
// (https://www.zoho.com/crm/developer/docs/api/v8/get-users.html). It
// writes each member's key and the constant members as literals, and
// keeps the last formatted times and zone offset in v: a view serves one
// request, one goroutine.
func (v *userView) appendUser(b []byte, u *crmguard.User) []byte {
	b = append(b, `{"id":"`...)
	b = strconv.AppendInt(b, int64(u.ID), 10)
	b = append(b, `","first_name":`...)
	b = appendText(b, u.FirstName)
	b = append(b, `,"last_name":`...)
	b = appendText(b, u.LastName)
	b = append(b, `,"full_name":`...)
	b = appendFullName(b, u.FirstName, u.LastName)
	b = append(b, `,"email":`...)
	b = appendText(b, u.Email)
	b = append(b, `,"role":`...)
	b = v.role.appendRef(b, v.roles, u.RoleID)
	b = append(b, `,"profile":`...)
	b = v.profile.appendRef(b, v.profiles, u.ProfileID)
	b = append(b, `,"status":`...)
	b = appendText(b, u.Status)
	b = append(b, `,"confirm":`...)
	b = strconv.AppendBool(b, u.Confirmed)
	// Zoho Accounts' user ID, not the CRM ID (GET /oauth/user/info).
	b = append(b, `,"zuid":"`...)
	b = strconv.AppendInt(b, u.ZUID, 10)
	b = append(b, `","time_zone":`...)
	b = appendText(b, u.TimeZone)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, v.offset(u.TimeZone), 10)
	b = append(b, `,"locale":`...)
	b = appendText(b, u.Locale)
	if len(u.Extra) == 0 {
		b = append(b, unsetPrefs...)
	} else {
		for _, p := range userPrefs {
			b = append(b, p.open...)
			if raw, ok := u.Extra[p.key]; !ok {
				b = append(b, p.unset...)
			} else if raw == nil {
				b = append(b, "null"...)
			} else {
				b = append(b, raw...)
			}
		}
	}
	b = append(b, `,"Reporting_To":`...)
	b = v.reports.appendRef(b, v.names, u.ReportingTo)
	b = append(b, `,"Isonline":false,"category":"regular_user","status_reason__s":null,"microsoft":false,`+
		`"personal_account":false,"sandboxDeveloper":false,"default_tab_group":"0"`...)
	if v.spelling == spellingV2 {
		b = append(b, `,"Created_By":`...)
		b = v.creator.appendRef(b, v.names, u.CreatedBy)
		b = append(b, `,"Created_Time":`...)
	} else {
		b = append(b, `,"created_by":`...)
		b = v.creator.appendRef(b, v.names, u.CreatedBy)
		b = append(b, `,"created_time":`...)
	}
	b = v.appendTime(b, &v.created, u.CreatedTime)
	b = append(b, `,"Modified_By":`...)
	if v.spelling == spellingV8 {
		b = v.modifier.appendOwner(b, v.names, v.firstLast, u.ModifiedBy)
	} else {
		b = v.modifier.appendRef(b, v.names, u.ModifiedBy)
	}
	b = append(b, `,"Modified_Time":`...)
	b = v.appendTime(b, &v.modified, u.ModifiedTime)
	for _, f := range v.custom {
		b = append(b, ',', '"')
		b = append(b, f.APIName...)
		b = append(b, '"', ':')
		if raw := u.Extra[f.APIName]; raw == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, raw...)
		}
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// without its HTML escaping; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
	return append(b, '"')
}

// plainByte holds the bytes appendStringBody copies as they are: ASCII
// but control characters, '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendStringBody appends s escaped, without the quotes.
func appendStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plainByte[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
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
	return append(b, s[start:]...)
}
