package sqlstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
)

// A user read selects these fields of a user, in this order: the integers
// (org_id first when the caller does not know the org), the texts, then
// invite_hash. On SQLite the ZUID is a column of users (migration 0015); on
// PostgreSQL it lives in user_zuids, which an insert trigger fills.
const (
	userInts = `users.id, role_id, profile_id, confirmed, must_change_password, created_by, modified_by,
	created_at, modified_at, reporting_to, invite_expires, `
	userTexts  = `email, first_name, last_name, status, time_zone, locale, password_hash, extra`
	nUserInts  = 12 // with the ZUID
	nUserTexts = 8
)

// userFrom is the FROM clause of a user read: the users and, on
// PostgreSQL, their ZUIDs.
func (s *Store) userFrom() string { return userFromOf(s.pg != nil) }

func userFromOf(pg bool) string {
	if pg {
		return ` FROM users LEFT JOIN user_zuids z ON z.user_id = users.id`
	}
	return ` FROM users`
}

// userSep separates the fields of SQLite's packed user (see userRead):
// the ASCII unit separator, which JSON (extra) never holds unescaped.
const userSep = '\x1f'

// userRead is the select list of a user read of a known org (withOrg
// false) or of any org (true, for GetUserByInvite); plain gives one column
// a field on SQLite too.
//
// PostgreSQL gets one column per field. SQLite gets one: users.packed
// (migration 0015), the row's integers (org_id first), texts and
// invitation hash joined into one text, which SQLite makes when it writes
// the row. Each column costs SQLite's driver several calls, each taking
// the connection's mutex, and database/sql a conversion and an allocation;
// a page of 200 users read as 21 columns spent more time there than in
// SQLite's reading the rows, and joining them at read time most of the
// rest. The integers are in decimal. A text that holds the separator
// itself (no JSON does; a name might) makes a row with too many
// separators, which the scanner reads again field by field.
func (s *Store) userRead(withOrg, plain bool) string { return userReadOf(s.pg != nil, withOrg, plain) }

func userReadOf(pg, withOrg, plain bool) string {
	kind := 0
	switch {
	case pg:
		kind = 2
	case plain:
		kind = 1
	}
	return userReads[kind][b2i(withOrg)]
}

// userReads holds userRead's lists, built once: [SQLite packed, SQLite
// plain, PostgreSQL][withOrg].
var userReads = func() (r [3][2]string) {
	for withOrg := range 2 {
		ints := userInts
		if withOrg == 1 {
			ints = `users.org_id, ` + ints
		}
		r[0][withOrg] = `users.packed`
		r[1][withOrg] = ints + `zuid, ` + userTexts + `, invite_hash`
		r[2][withOrg] = ints + `COALESCE(z.zuid, 0), ` + userTexts + `, invite_hash`
	}
	return r
}()

// userScanner turns the rows of a user read into users. database/sql
// converts a column to a typed destination through reflection (to an int
// through a string); a destination of type *any takes the driver's value
// as is, so each column lands in vals and is converted here. One scanner
// serves the rows of one query: its destinations are allocated once, and
// the users it returns come from one slab of users at a time.
type userScanner struct {
	org    crmguard.ID // the org of every row, or 0 when org_id is selected
	packed bool        // SQLite's two columns (see userRead)
	vals   [nUserInts + 1 + nUserTexts + 1]any
	dest   []any
	ints   [nUserInts + 1]int64
	texts  [nUserTexts]string
	slab   []crmguard.User
	size   int              // users a slab holds
	err    error            // the first value of an unexpected type in this row
	again  []*crmguard.User // packed rows to read again (see userRead), ID and org set
}

// userScanner returns a scanner for the rows of s.userRead(org == 0,
// plain), of org (0: the row's own), expecting about n rows.
func (s *Store) userScanner(org crmguard.ID, n int, plain bool) *userScanner {
	sc := &userScanner{org: org, packed: s.pg == nil && !plain, size: max(1, min(n, 256))}
	cols := nUserInts + nUserTexts + 1
	if org == 0 {
		cols++
	}
	if sc.packed {
		cols = 1
	}
	sc.dest = make([]any, cols)
	for i := range sc.dest {
		sc.dest[i] = &sc.vals[i]
	}
	return sc
}

// scan reads one row; its error is mapped as mapErr maps it. A packed row
// that does not split is returned with its org and ID only, and kept in
// sc.again for Store.readAgain.
func (sc *userScanner) scan(row interface{ Scan(...any) error }) (*crmguard.User, error) {
	if err := row.Scan(sc.dest...); err != nil {
		return nil, mapErr(err)
	}
	if sc.packed {
		rec := sc.str(sc.vals[0])
		clear(sc.vals[:]) // hold no row's values past it
		return sc.unpacked(rec)
	}
	ints := sc.ints[:]
	if sc.org != 0 {
		ints = ints[1:]
	}
	for i := range ints {
		ints[i] = sc.int(sc.vals[i])
	}
	for i := range sc.texts {
		sc.texts[i] = sc.str(sc.vals[len(ints)+i])
	}
	hash := colBytes(sc.vals[len(ints)+nUserTexts])
	clear(sc.vals[:])
	return sc.user(true, hash)
}

// unpacked is the user of one packed row (see userRead). The user's texts
// are substrings of rec.
func (sc *userScanner) unpacked(rec string) (*crmguard.User, error) {
	return sc.user(sc.unpack(rec))
}

// user makes the user sc.ints, sc.texts and hash hold; when the row did not
// split, one with its org and ID only, kept in sc.again.
func (sc *userScanner) user(split bool, hash []byte) (*crmguard.User, error) {
	if err := sc.err; err != nil {
		sc.err = nil
		return nil, err
	}
	if len(sc.slab) == cap(sc.slab) {
		sc.slab = make([]crmguard.User, 0, sc.size)
	}
	sc.slab = append(sc.slab, crmguard.User{})
	u := &sc.slab[len(sc.slab)-1]
	u.OrgID = sc.org
	if sc.org == 0 {
		u.OrgID = crmguard.ID(sc.ints[0])
	}
	n, t := sc.ints[1:], &sc.texts
	u.ID = crmguard.ID(n[0])
	if !split {
		sc.again = append(sc.again, u)
		return u, nil
	}
	u.RoleID, u.ProfileID = crmguard.ID(n[1]), crmguard.ID(n[2])
	u.Confirmed, u.MustChangePassword = n[3] != 0, n[4] != 0
	u.CreatedBy, u.ModifiedBy = crmguard.ID(n[5]), crmguard.ID(n[6])
	u.CreatedTime, u.ModifiedTime = fromMS(n[7]), fromMS(n[8])
	u.ReportingTo = crmguard.ID(n[9])
	if n[10] != 0 {
		u.InviteExpires = fromMS(n[10])
	}
	u.ZUID = n[11]
	u.Email, u.FirstName, u.LastName, u.Status = t[0], t[1], t[2], t[3]
	u.TimeZone, u.Locale, u.PasswordHash = t[4], t[5], t[6]
	u.InviteHash = hash
	if extra := t[7]; extra != "{}" && extra != "" {
		if err := json.Unmarshal([]byte(extra), &u.Extra); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// unpack splits a packed user (see userRead) into sc.ints (its org first)
// and sc.texts, substrings of p, and its invitation hash. It reports false
// when p holds more separators than fields, for a text that holds one;
// only the integers are then set.
func (sc *userScanner) unpack(p string) (split bool, hash []byte) {
	ints := sc.ints[:]
	for k := range ints {
		j := strings.IndexByte(p, userSep)
		if j < 0 {
			sc.fail(p)
			return true, nil
		}
		ints[k] = sc.parse(p[:j])
		p = p[j+1:]
	}
	if strings.Count(p, string(rune(userSep))) != nUserTexts {
		return false, nil
	}
	for k := range nUserTexts {
		j := strings.IndexByte(p, userSep)
		sc.texts[k], p = p[:j], p[j+1:]
	}
	if p != "" { // hex(invite_hash)
		h, err := hex.DecodeString(p)
		if err != nil {
			sc.fail(p)
		}
		hash = h
	}
	return true, hash
}

// readAgain reads the users sc.again holds field by field (see userRead),
// in place.
func (s *Store) readAgain(ctx context.Context, sc *userScanner) error {
	for _, u := range sc.again {
		v, err := s.userScanner(u.OrgID, 1, true).scan(s.r().QueryRowContext(ctx,
			`SELECT `+s.userRead(false, true)+s.userFrom()+` WHERE users.org_id = ? AND users.id = ?`, u.OrgID, u.ID))
		if err != nil {
			return err
		}
		*u = *v
	}
	sc.again = nil
	return nil
}

// int is an integer column's value. SQLite and PostgreSQL give int64;
// text that holds a number (SQLite lets a column hold any type) is parsed,
// as database/sql would; NULL is 0.
func (sc *userScanner) int(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case nil:
		return 0
	case string:
		return sc.parse(x)
	case []byte:
		return sc.parse(string(x))
	}
	sc.fail(v)
	return 0
}

// parse parses a decimal int64, as strconv.ParseInt(s, 10, 64) does
// without its allocations on error.
func (sc *userScanner) parse(s string) int64 {
	neg := len(s) > 0 && s[0] == '-'
	d := s
	if neg {
		d = s[1:]
	}
	if len(d) == 0 || len(d) > 19 {
		return sc.parseSlow(s)
	}
	var n uint64
	for i := 0; i < len(d); i++ {
		c := d[i] - '0'
		if c > 9 {
			return sc.parseSlow(s)
		}
		n = n*10 + uint64(c)
	}
	if n > math.MaxInt64 {
		return sc.parseSlow(s)
	}
	if neg {
		return -int64(n)
	}
	return int64(n)
}

func (sc *userScanner) parseSlow(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		sc.fail(s)
	}
	return n
}

// str is a text column's value; NULL is "".
func (sc *userScanner) str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case []byte:
		return string(x)
	}
	sc.fail(v)
	return ""
}

// fail records the first value of a type the scanner cannot convert.
func (sc *userScanner) fail(v any) {
	if sc.err == nil {
		sc.err = fmt.Errorf("sqlstore: unexpected %T in a user row", v)
	}
}

// colBytes is a BLOB column's value, nil for NULL. database/sql gives a
// *any destination a copy of the driver's bytes.
func colBytes(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
}
