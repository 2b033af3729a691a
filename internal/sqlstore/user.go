package sqlstore

import (
	"context"
	"strings"

	"github.com/crmguard/crmguard"
)

const userCols = `org_id, id, email, first_name, last_name, role_id, profile_id, status, confirmed, time_zone,
	locale, password_hash, must_change_password, created_by, modified_by, created_at, modified_at`

func scanUser(row interface{ Scan(...any) error }) (*crmguard.User, error) {
	var u crmguard.User
	var confirmed, mustChange int
	var created, modified int64
	if err := row.Scan(&u.OrgID, &u.ID, &u.Email, &u.FirstName, &u.LastName, &u.RoleID, &u.ProfileID,
		&u.Status, &confirmed, &u.TimeZone, &u.Locale, &u.PasswordHash, &mustChange, &u.CreatedBy,
		&u.ModifiedBy, &created, &modified); err != nil {
		return nil, mapErr(err)
	}
	u.Confirmed, u.MustChangePassword = confirmed != 0, mustChange != 0
	u.CreatedTime, u.ModifiedTime = fromMS(created), fromMS(modified)
	return &u, nil
}

// CreateUser inserts a user; a duplicate e-mail (any case) is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *crmguard.User) error {
	_, err := s.exec(ctx, `INSERT INTO users (`+userCols+`, email_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		u.OrgID, u.ID, u.Email, u.FirstName, u.LastName, u.RoleID, u.ProfileID, u.Status,
		b2i(u.Confirmed), u.TimeZone, u.Locale, u.PasswordHash, b2i(u.MustChangePassword),
		u.CreatedBy, u.ModifiedBy, ms(u.CreatedTime), ms(u.ModifiedTime), strings.ToLower(u.Email))
	return err
}

// UpdateUser writes every mutable column of u.
func (s *Store) UpdateUser(ctx context.Context, u *crmguard.User) error {
	return s.execOne(ctx, `UPDATE users SET email = ?, email_key = ?, first_name = ?, last_name = ?,
		role_id = ?, profile_id = ?, status = ?, confirmed = ?, time_zone = ?, locale = ?,
		password_hash = ?, must_change_password = ?, modified_by = ?, modified_at = ?
		WHERE org_id = ? AND id = ?`,
		u.Email, strings.ToLower(u.Email), u.FirstName, u.LastName, u.RoleID, u.ProfileID, u.Status,
		b2i(u.Confirmed), u.TimeZone, u.Locale, u.PasswordHash, b2i(u.MustChangePassword),
		u.ModifiedBy, ms(u.ModifiedTime), u.OrgID, u.ID)
}

// GetUser returns one user of the org.
func (s *Store) GetUser(ctx context.Context, org, id crmguard.ID) (*crmguard.User, error) {
	return scanUser(s.r().QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE org_id = ? AND id = ?`, org, id))
}

// GetUserByEmail matches the e-mail case-insensitively.
func (s *Store) GetUserByEmail(ctx context.Context, org crmguard.ID, email string) (*crmguard.User, error) {
	return scanUser(s.r().QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE org_id = ? AND email_key = ?`, org, strings.ToLower(email)))
}

// ListUsers returns every user of the org, oldest first.
func (s *Store) ListUsers(ctx context.Context, org crmguard.ID) ([]*crmguard.User, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE org_id = ? ORDER BY id`, org)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanUser)
}

// CountUsers counts the org's users with a status; "" counts all.
func (s *Store) CountUsers(ctx context.Context, org crmguard.ID, status string) (int, error) {
	var n int
	err := s.r().QueryRowContext(ctx, `SELECT count(*) FROM users WHERE org_id = ? AND (? = '' OR status = ?)`, org, status, status).Scan(&n)
	return n, mapErr(err)
}
