package sqlstore

import (
	"context"
	"strings"

	"github.com/crmguard/crmguard"
)

const territoryCols = `org_id, id, name, description, reporting_to, manager, permission_type,
	created_by, modified_by, created_at, modified_at`

func scanTerritory(row interface{ Scan(...any) error }) (*crmguard.Territory, error) {
	var t crmguard.Territory
	var created, modified int64
	if err := row.Scan(&t.OrgID, &t.ID, &t.Name, &t.Description, &t.ReportingTo, &t.Manager, &t.PermissionType,
		&t.CreatedBy, &t.ModifiedBy, &created, &modified); err != nil {
		return nil, mapErr(err)
	}
	t.CreatedTime, t.ModifiedTime = fromMS(created), fromMS(modified)
	return &t, nil
}

// CreateTerritory inserts a territory; a duplicate name (any case) is
// ErrConflict.
func (s *Store) CreateTerritory(ctx context.Context, t *crmguard.Territory) error {
	_, err := s.exec(ctx, `INSERT INTO territories (`+territoryCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		t.OrgID, t.ID, t.Name, t.Description, t.ReportingTo, t.Manager, t.PermissionType,
		t.CreatedBy, t.ModifiedBy, ms(t.CreatedTime), ms(t.ModifiedTime))
	return err
}

// UpdateTerritory writes the mutable columns of t.
func (s *Store) UpdateTerritory(ctx context.Context, t *crmguard.Territory) error {
	return s.execOne(ctx, `UPDATE territories SET name = ?, description = ?, reporting_to = ?, manager = ?,
		permission_type = ?, modified_by = ?, modified_at = ? WHERE org_id = ? AND id = ?`,
		t.Name, t.Description, t.ReportingTo, t.Manager, t.PermissionType, t.ModifiedBy, ms(t.ModifiedTime), t.OrgID, t.ID)
}

// DeleteTerritory removes a territory; its memberships go with it (ON
// DELETE CASCADE).
func (s *Store) DeleteTerritory(ctx context.Context, org, id crmguard.ID) error {
	return s.execOne(ctx, `DELETE FROM territories WHERE org_id = ? AND id = ?`, org, id)
}

// GetTerritory returns one territory of the org.
func (s *Store) GetTerritory(ctx context.Context, org, id crmguard.ID) (*crmguard.Territory, error) {
	return scanTerritory(s.r().QueryRowContext(ctx, `SELECT `+territoryCols+` FROM territories WHERE org_id = ? AND id = ?`, org, id))
}

// ListTerritories returns the org's territories, oldest first.
func (s *Store) ListTerritories(ctx context.Context, org crmguard.ID) ([]*crmguard.Territory, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+territoryCols+` FROM territories WHERE org_id = ? ORDER BY id`, org)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanTerritory)
}

// AddTerritoryUser makes user a member of territory; a member already is
// ErrConflict, caught by the primary key.
func (s *Store) AddTerritoryUser(ctx context.Context, org, territory, user crmguard.ID) error {
	_, err := s.exec(ctx, `INSERT INTO territory_users (org_id, territory_id, user_id) VALUES (?,?,?)`, org, territory, user)
	return err
}

// RemoveTerritoryUser ends a membership; none is ErrNotFound.
func (s *Store) RemoveTerritoryUser(ctx context.Context, org, territory, user crmguard.ID) error {
	return s.execOne(ctx, `DELETE FROM territory_users WHERE org_id = ? AND territory_id = ? AND user_id = ?`, org, territory, user)
}

// ListUserTerritories returns the territories a user belongs to, oldest
// first.
func (s *Store) ListUserTerritories(ctx context.Context, org, user crmguard.ID) ([]*crmguard.Territory, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+prefixCols("t.", territoryCols)+` FROM territories t
		JOIN territory_users m ON m.org_id = t.org_id AND m.territory_id = t.id
		WHERE t.org_id = ? AND m.user_id = ? ORDER BY t.id`, org, user)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanTerritory)
}

// ListTerritoryUserIDs returns the members of a territory, ascending.
func (s *Store) ListTerritoryUserIDs(ctx context.Context, org, territory crmguard.ID) ([]crmguard.ID, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT user_id FROM territory_users WHERE org_id = ? AND territory_id = ? ORDER BY user_id`, org, territory)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanID)
}

// scanID scans a row of one ID column.
func scanID(row interface{ Scan(...any) error }) (crmguard.ID, error) {
	var id crmguard.ID
	return id, mapErr(row.Scan(&id))
}

// prefixCols qualifies each column of a list with a table alias.
func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
