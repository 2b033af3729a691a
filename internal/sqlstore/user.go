package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
)

const userCols = `org_id, id, email, first_name, last_name, role_id, profile_id, status, confirmed, time_zone,
	locale, password_hash, must_change_password, created_by, modified_by, created_at, modified_at,
	reporting_to, extra, invite_hash, invite_expires`

// userInserts insert a user: [SQLite, PostgreSQL]. On SQLite the
// statement gives the user the next ZUID, the highest so far plus one
// (users_zuid keeps that a lookup); on PostgreSQL an insert trigger does,
// in user_zuids (see readZUID).
var userInserts = [2]string{
	`INSERT INTO users (` + userCols + `, email_key, zuid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,
		(SELECT COALESCE(MAX(zuid), 700000000) + 1 FROM users))`,
	rebind(`INSERT INTO users (` + userCols + `, email_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
}

func (s *Store) userInsert() string { return userInserts[b2i(s.pg != nil)] }

// The lookups of one user, by queryUser.
const (
	userByID     = iota // org, ID
	userByEmail         // org, lower-cased e-mail
	userByInvite        // invitation hash, any org
)

// userLookups holds queryUser's statements, built once: [SQLite,
// PostgreSQL][lookup].
var userLookups = func() (q [2][3]string) {
	where := [3]string{` WHERE users.org_id = ? AND users.id = ?`, ` WHERE users.org_id = ? AND email_key = ?`, ` WHERE invite_hash = ?`}
	for pg := range 2 {
		for l, w := range where {
			from := userFromOf(pg == 1)
			if pg == 0 && l == userByID {
				from += ` INDEXED BY users_packed` // the user from the index alone (migration 0016)
			}
			q[pg][l] = `SELECT ` + userReadOf(pg == 1, l == userByInvite, false) + from + w
		}
	}
	return q
}()

// queryUser reads the one user a lookup finds, of org (0 for
// userByInvite: the row's own org).
func (s *Store) queryUser(ctx context.Context, org crmguard.ID, lookup int, args ...any) (*crmguard.User, error) {
	sc := s.userScanner(org, 1, false)
	u, err := sc.scan(s.r().QueryRowContext(ctx, userLookups[b2i(s.pg != nil)][lookup], args...))
	if err != nil {
		return nil, err
	}
	return u, s.readAgain(ctx, sc)
}

// queryUsers reads the users of org that the query after the column list
// selects, expecting about n.
func (s *Store) queryUsers(ctx context.Context, org crmguard.ID, n int, rest string, args ...any) ([]*crmguard.User, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+s.userRead(false, false)+s.userFrom()+rest, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	sc := s.userScanner(org, n, false)
	users, err := collect(rows, sc.scan)
	if err != nil {
		return nil, err
	}
	return users, s.readAgain(ctx, sc)
}

// emailKey is the unique key of a user's e-mail. A deleted user keeps the
// e-mail for the record but frees it: the address may be invited again.
func emailKey(u *crmguard.User) string {
	if u.Status == crmguard.UserDeleted {
		return "deleted:" + u.ID.String()
	}
	return strings.ToLower(u.Email)
}

func extraJSON(u *crmguard.User) (string, error) {
	if len(u.Extra) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(u.Extra)
	return string(b), err
}

func userArgs(u *crmguard.User) ([]any, error) {
	extra, err := extraJSON(u)
	if err != nil {
		return nil, err
	}
	var invExp int64
	if !u.InviteExpires.IsZero() {
		invExp = ms(u.InviteExpires)
	}
	return []any{u.OrgID, u.ID, u.Email, u.FirstName, u.LastName, u.RoleID, u.ProfileID, u.Status,
		b2i(u.Confirmed), u.TimeZone, u.Locale, u.PasswordHash, b2i(u.MustChangePassword),
		u.CreatedBy, u.ModifiedBy, ms(u.CreatedTime), ms(u.ModifiedTime), u.ReportingTo, extra,
		u.InviteHash, invExp, emailKey(u)}, nil
}

// CreateUser inserts a user; a duplicate e-mail (any case) is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *crmguard.User) error {
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	if _, err = s.exec(ctx, s.userInsert(), args...); err != nil {
		return err
	}
	return s.readZUID(ctx, u)
}

// readZUID fills u.ZUID with the one its insert gave it.
func (s *Store) readZUID(ctx context.Context, u *crmguard.User) error {
	q := `SELECT zuid FROM users WHERE id = ?`
	if s.pg != nil {
		q = `SELECT zuid FROM user_zuids WHERE user_id = ?`
	}
	return mapErr(s.w().QueryRowContext(ctx, q, u.ID).Scan(&u.ZUID))
}

// CreateUsers inserts many users with one prepared statement, in one
// transaction when the caller holds none.
func (s *Store) CreateUsers(ctx context.Context, users []*crmguard.User) error {
	return s.InTx(ctx, func(t crmguard.Store) error {
		stmt, err := t.(*Store).tx.PrepareContext(ctx, s.userInsert())
		if err != nil {
			return mapErr(err)
		}
		defer stmt.Close()
		for _, u := range users {
			args, err := userArgs(u)
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return mapErr(err)
			}
			if err := t.(*Store).readZUID(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateUser writes u's mutable columns. On SQLite it leaves out each
// group of columns below that the update does not change: SQLite rewrites
// an index entry, and checks a foreign key, whenever an update sets its
// column, changed or not, so a PUT of one field rewrote the user's e-mail,
// status and invitation entries and looked up its role and profile. The
// row is read first, in the same transaction (16 writers of one field:
// 5,050-5,270 writes/s with every column set, 5,640-5,830 with this,
// alternating in one sitting). PostgreSQL skips an index whose columns
// keep their values by itself, and gets every column.
func (s *Store) UpdateUser(ctx context.Context, u *crmguard.User) error {
	extra, err := extraJSON(u)
	if err != nil {
		return err
	}
	if s.pg != nil {
		return s.execOne(ctx, userUpdates[setAll], userUpdateArgs(u, setAll, extra)...)
	}
	return s.InTx(ctx, func(t crmguard.Store) error {
		tx := t.(*Store)
		old, err := tx.GetUser(ctx, u.OrgID, u.ID)
		if err != nil {
			return err
		}
		set := 0
		if old.Email != u.Email || emailKey(old) != emailKey(u) {
			set |= setEmail
		}
		if old.RoleID != u.RoleID || old.ProfileID != u.ProfileID {
			set |= setRefs
		}
		if old.Status != u.Status {
			set |= setStatus
		}
		if !bytes.Equal(old.InviteHash, u.InviteHash) || (old.InviteHash == nil) != (u.InviteHash == nil) {
			set |= setInvite
		}
		return tx.execOne(ctx, userUpdates[set], userUpdateArgs(u, set, extra)...)
	})
}

// The groups of users' columns an update may leave out, each covered by
// an index or a foreign key.
const (
	setEmail  = 1 << iota // email, email_key: UNIQUE (org_id, email_key)
	setRefs               // role_id, profile_id: foreign keys
	setStatus             // status: users_org_status
	setInvite             // invite_hash: users_invite
	setAll    = setEmail | setRefs | setStatus | setInvite
)

// userUpdates holds the UPDATE of each set of groups, the other columns
// always written.
var userUpdates = func() (q [setAll + 1]string) {
	for set := range q {
		var b strings.Builder
		b.WriteString(`UPDATE users SET `)
		if set&setEmail != 0 {
			b.WriteString(`email = ?, email_key = ?, `)
		}
		if set&setRefs != 0 {
			b.WriteString(`role_id = ?, profile_id = ?, `)
		}
		if set&setStatus != 0 {
			b.WriteString(`status = ?, `)
		}
		if set&setInvite != 0 {
			b.WriteString(`invite_hash = ?, `)
		}
		b.WriteString(`first_name = ?, last_name = ?, confirmed = ?, time_zone = ?, locale = ?,
		password_hash = ?, must_change_password = ?, modified_by = ?, modified_at = ?,
		reporting_to = ?, extra = ?, invite_expires = ? WHERE org_id = ? AND id = ?`)
		q[set] = b.String()
	}
	return q
}()

// userUpdateArgs are the arguments of userUpdates[set] for u.
func userUpdateArgs(u *crmguard.User, set int, extra string) []any {
	args := make([]any, 0, 20)
	if set&setEmail != 0 {
		args = append(args, u.Email, emailKey(u))
	}
	if set&setRefs != 0 {
		args = append(args, u.RoleID, u.ProfileID)
	}
	if set&setStatus != 0 {
		args = append(args, u.Status)
	}
	if set&setInvite != 0 {
		args = append(args, u.InviteHash)
	}
	var invExp int64
	if !u.InviteExpires.IsZero() {
		invExp = ms(u.InviteExpires)
	}
	return append(args, u.FirstName, u.LastName, b2i(u.Confirmed), u.TimeZone, u.Locale,
		u.PasswordHash, b2i(u.MustChangePassword), u.ModifiedBy, ms(u.ModifiedTime),
		u.ReportingTo, extra, invExp, u.OrgID, u.ID)
}

// GetUser returns one user of the org.
func (s *Store) GetUser(ctx context.Context, org, id crmguard.ID) (*crmguard.User, error) {
	return s.queryUser(ctx, org, userByID, org, id)
}

// GetUserByEmail matches the e-mail case-insensitively among users not
// deleted.
func (s *Store) GetUserByEmail(ctx context.Context, org crmguard.ID, email string) (*crmguard.User, error) {
	return s.queryUser(ctx, org, userByEmail, org, strings.ToLower(email))
}

// GetUserByInvite finds the user whose pending invitation has this hash.
func (s *Store) GetUserByInvite(ctx context.Context, hash []byte) (*crmguard.User, error) {
	return s.queryUser(ctx, 0, userByInvite, hash)
}

// ListUsers returns every user of the org, oldest first.
func (s *Store) ListUsers(ctx context.Context, org crmguard.ID) ([]*crmguard.User, error) {
	return s.queryUsers(ctx, org, 64, ` WHERE users.org_id = ? ORDER BY users.id`, org)
}

// CountUsers counts the org's users with a status; "" counts all.
func (s *Store) CountUsers(ctx context.Context, org crmguard.ID, status string) (int, error) {
	var n int
	err := s.r().QueryRowContext(ctx, `SELECT count(*) FROM users WHERE org_id = ? AND (? = '' OR status = ?)`, org, status, status).Scan(&n)
	return n, mapErr(err)
}

// userWhere renders a filter as a WHERE clause and its arguments.
func (s *Store) userWhere(org crmguard.ID, f crmguard.UserFilter) (string, []any) {
	var b strings.Builder
	args := []any{org}
	b.WriteString(` WHERE org_id = ?`)
	if len(f.Statuses) > 0 {
		b.WriteString(` AND status IN (` + placeholders(len(f.Statuses)) + `)`)
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.Confirmed != nil {
		b.WriteString(` AND confirmed = ?`)
		args = append(args, b2i(*f.Confirmed))
	}
	if f.ProfileID != 0 {
		b.WriteString(` AND profile_id = ?`)
		args = append(args, f.ProfileID)
	}
	if f.IDs != nil {
		// One parameter, a JSON array, whatever the count: one statement
		// shape to prepare, and no limit on bound parameters.
		if s.pg != nil {
			b.WriteString(` AND id = ANY(?::bigint[])`)
			args = append(args, idSlice(f.IDs))
		} else {
			b.WriteString(` AND id IN (SELECT value FROM json_each(?))`)
			args = append(args, idArray(f.IDs))
		}
	}
	if !f.ModifiedAfter.IsZero() {
		b.WriteString(` AND modified_at > ?`)
		args = append(args, ms(f.ModifiedAfter))
	}
	return b.String(), args
}

// idSlice is ids as PostgreSQL's driver sends a bigint[].
func idSlice(ids []crmguard.ID) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

func idArray(ids []crmguard.ID) string {
	b := make([]byte, 0, len(ids)*20+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return string(append(b, ']'))
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// ListUserIDs returns the IDs of the users f selects, ascending.
func (s *Store) ListUserIDs(ctx context.Context, org crmguard.ID, f crmguard.UserFilter) ([]crmguard.ID, error) {
	where, args := s.userWhere(org, f)
	rows, err := s.r().QueryContext(ctx, `SELECT id FROM users`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanID)
}

// EachUser calls fn for every user f selects, ascending by ID.
func (s *Store) EachUser(ctx context.Context, org crmguard.ID, f crmguard.UserFilter, fn func(*crmguard.User) error) error {
	where, args := s.userWhere(org, f)
	// fn sees each user as it is read: field by field, never read again.
	rows, err := s.r().QueryContext(ctx, `SELECT `+s.userRead(false, true)+s.userFrom()+where+` ORDER BY users.id`, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	sc := s.userScanner(org, 64, true)
	for rows.Next() {
		u, err := sc.scan(rows)
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}
