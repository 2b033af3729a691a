package sqlstore

import (
	"context"
	"time"

	"github.com/crmguard/crmguard"
)

const roleCols = `org_id, id, name, display_label, description, reporting_to, share_with_peer, admin_user,
	created_by, modified_by, created_at, modified_at, forecast_manager`

func scanRole(row interface{ Scan(...any) error }) (*crmguard.Role, error) {
	var r crmguard.Role
	var share, admin int
	var created, modified int64
	if err := row.Scan(&r.OrgID, &r.ID, &r.Name, &r.DisplayLabel, &r.Description, &r.ReportingTo, &share,
		&admin, &r.CreatedBy, &r.ModifiedBy, &created, &modified, &r.ForecastManager); err != nil {
		return nil, mapErr(err)
	}
	r.ShareWithPeer, r.AdminUser = share != 0, admin != 0
	r.CreatedTime, r.ModifiedTime = fromMS(created), fromMS(modified)
	return &r, nil
}

// CreateRole inserts a role; a duplicate name (any case) is ErrConflict.
func (s *Store) CreateRole(ctx context.Context, r *crmguard.Role) error {
	_, err := s.exec(ctx, `INSERT INTO roles (`+roleCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.OrgID, r.ID, r.Name, r.DisplayLabel, r.Description, r.ReportingTo, b2i(r.ShareWithPeer),
		b2i(r.AdminUser), r.CreatedBy, r.ModifiedBy, ms(r.CreatedTime), ms(r.ModifiedTime), r.ForecastManager)
	return err
}

// UpdateRole writes the mutable columns of r.
func (s *Store) UpdateRole(ctx context.Context, r *crmguard.Role) error {
	return s.execOne(ctx, `UPDATE roles SET name = ?, display_label = ?, description = ?, reporting_to = ?,
		share_with_peer = ?, forecast_manager = ?, modified_by = ?, modified_at = ? WHERE org_id = ? AND id = ?`,
		r.Name, r.DisplayLabel, r.Description, r.ReportingTo, b2i(r.ShareWithPeer), r.ForecastManager,
		r.ModifiedBy, ms(r.ModifiedTime), r.OrgID, r.ID)
}

// DeleteRole removes a role no user has and no role reports to.
func (s *Store) DeleteRole(ctx context.Context, org, id crmguard.ID) error {
	return s.execOne(ctx, `DELETE FROM roles WHERE org_id = ? AND id = ?`, org, id)
}

// ReassignRole moves every user of role from to role to, and every role
// reporting to from under to; it returns how many users and roles moved.
func (s *Store) ReassignRole(ctx context.Context, org, from, to, by crmguard.ID, at time.Time) (int, int, error) {
	res, err := s.exec(ctx, `UPDATE users SET role_id = ?, modified_by = ?, modified_at = ? WHERE org_id = ? AND role_id = ?`,
		to, by, ms(at), org, from)
	if err != nil {
		return 0, 0, err
	}
	users, err := res.RowsAffected()
	if err != nil {
		return 0, 0, err
	}
	if res, err = s.exec(ctx, `UPDATE roles SET reporting_to = ?, modified_by = ?, modified_at = ? WHERE org_id = ? AND reporting_to = ?`,
		to, by, ms(at), org, from); err != nil {
		return 0, 0, err
	}
	roles, err := res.RowsAffected()
	return int(users), int(roles), err
}

// GetRole returns one role of the org.
func (s *Store) GetRole(ctx context.Context, org, id crmguard.ID) (*crmguard.Role, error) {
	return scanRole(s.r().QueryRowContext(ctx, `SELECT `+roleCols+` FROM roles WHERE org_id = ? AND id = ?`, org, id))
}

// GetRoleByName matches the name case-insensitively.
func (s *Store) GetRoleByName(ctx context.Context, org crmguard.ID, name string) (*crmguard.Role, error) {
	return scanRole(s.r().QueryRowContext(ctx, `SELECT `+roleCols+` FROM roles WHERE org_id = ? AND lower(name) = lower(?) ORDER BY id LIMIT 1`, org, name))
}

// ListRoles returns the org's roles, oldest first.
func (s *Store) ListRoles(ctx context.Context, org crmguard.ID) ([]*crmguard.Role, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+roleCols+` FROM roles WHERE org_id = ? ORDER BY id`, org)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanRole)
}
