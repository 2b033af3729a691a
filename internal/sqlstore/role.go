package sqlstore

import (
	"context"

	"github.com/crmguard/crmguard"
)

const roleCols = `org_id, id, name, display_label, description, reporting_to, share_with_peer, admin_user,
	created_by, modified_by, created_at, modified_at`

func scanRole(row interface{ Scan(...any) error }) (*crmguard.Role, error) {
	var r crmguard.Role
	var share, admin int
	var created, modified int64
	if err := row.Scan(&r.OrgID, &r.ID, &r.Name, &r.DisplayLabel, &r.Description, &r.ReportingTo, &share,
		&admin, &r.CreatedBy, &r.ModifiedBy, &created, &modified); err != nil {
		return nil, mapErr(err)
	}
	r.ShareWithPeer, r.AdminUser = share != 0, admin != 0
	r.CreatedTime, r.ModifiedTime = fromMS(created), fromMS(modified)
	return &r, nil
}

// CreateRole inserts a role.
func (s *Store) CreateRole(ctx context.Context, r *crmguard.Role) error {
	_, err := s.exec(ctx, `INSERT INTO roles (`+roleCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.OrgID, r.ID, r.Name, r.DisplayLabel, r.Description, r.ReportingTo, b2i(r.ShareWithPeer),
		b2i(r.AdminUser), r.CreatedBy, r.ModifiedBy, ms(r.CreatedTime), ms(r.ModifiedTime))
	return err
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
