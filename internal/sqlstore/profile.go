package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
)

// CreatePermissions records the per-org IDs of catalogue permissions.
func (s *Store) CreatePermissions(ctx context.Context, perms []crmguard.Permission) error {
	for _, p := range perms {
		if _, err := s.exec(ctx, `INSERT INTO permissions (org_id, id, idx) VALUES (?,?,?)`, p.OrgID, p.ID, p.Index); err != nil {
			return err
		}
	}
	return nil
}

// ListPermissions returns the org's permissions in catalogue order.
func (s *Store) ListPermissions(ctx context.Context, org crmguard.ID) ([]crmguard.Permission, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT org_id, id, idx FROM permissions WHERE org_id = ? ORDER BY idx`, org)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (crmguard.Permission, error) {
		var p crmguard.Permission
		return p, r.Scan(&p.OrgID, &p.ID, &p.Index)
	})
}

const profileCols = `org_id, id, name, display_label, description, type, custom, is_default, perms0, perms1,
	created_by, modified_by, created_at, modified_at`

func scanProfile(row interface{ Scan(...any) error }) (*crmguard.Profile, error) {
	var p crmguard.Profile
	var custom, def int
	var p0, p1 int64
	var created, modified int64
	if err := row.Scan(&p.OrgID, &p.ID, &p.Name, &p.DisplayLabel, &p.Description, &p.Type, &custom, &def,
		&p0, &p1, &p.CreatedBy, &p.ModifiedBy, &created, &modified); err != nil {
		return nil, mapErr(err)
	}
	p.Custom, p.Default = custom != 0, def != 0
	p.Permissions = crmguard.PermSet{uint64(p0), uint64(p1)}
	p.CreatedTime, p.ModifiedTime = fromMS(created), fromMS(modified)
	return &p, nil
}

// CreateProfile inserts a profile; a duplicate name (any case) is ErrConflict.
func (s *Store) CreateProfile(ctx context.Context, p *crmguard.Profile) error {
	_, err := s.exec(ctx, `INSERT INTO profiles (`+profileCols+`, name_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.OrgID, p.ID, p.Name, p.DisplayLabel, p.Description, p.Type, b2i(p.Custom), b2i(p.Default),
		int64(p.Permissions[0]), int64(p.Permissions[1]), p.CreatedBy, p.ModifiedBy,
		ms(p.CreatedTime), ms(p.ModifiedTime), strings.ToLower(p.Name))
	return err
}

// UpdateProfile writes the mutable columns of p.
func (s *Store) UpdateProfile(ctx context.Context, p *crmguard.Profile) error {
	return s.execOne(ctx, `UPDATE profiles SET name = ?, name_key = ?, display_label = ?, description = ?,
		perms0 = ?, perms1 = ?, modified_by = ?, modified_at = ? WHERE org_id = ? AND id = ?`,
		p.Name, strings.ToLower(p.Name), p.DisplayLabel, p.Description, int64(p.Permissions[0]),
		int64(p.Permissions[1]), p.ModifiedBy, ms(p.ModifiedTime), p.OrgID, p.ID)
}

// GetProfile returns one profile of the org.
func (s *Store) GetProfile(ctx context.Context, org, id crmguard.ID) (*crmguard.Profile, error) {
	return scanProfile(s.r().QueryRowContext(ctx, `SELECT `+profileCols+` FROM profiles WHERE org_id = ? AND id = ?`, org, id))
}

// GetProfileByName matches the name case-insensitively.
func (s *Store) GetProfileByName(ctx context.Context, org crmguard.ID, name string) (*crmguard.Profile, error) {
	return scanProfile(s.r().QueryRowContext(ctx, `SELECT `+profileCols+` FROM profiles WHERE org_id = ? AND name_key = ?`, org, strings.ToLower(name)))
}

// ListProfiles returns the org's profiles, oldest first.
func (s *Store) ListProfiles(ctx context.Context, org crmguard.ID) ([]*crmguard.Profile, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+profileCols+` FROM profiles WHERE org_id = ? ORDER BY id`, org)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanProfile)
}

// DeleteProfile removes a profile; users still on it make the foreign key
// fail, so callers move them first (ReassignProfile).
func (s *Store) DeleteProfile(ctx context.Context, org, id crmguard.ID) error {
	return s.execOne(ctx, `DELETE FROM profiles WHERE org_id = ? AND id = ?`, org, id)
}

// ReassignProfile moves every user of profile from to profile to and
// returns how many moved.
func (s *Store) ReassignProfile(ctx context.Context, org, from, to, by crmguard.ID, at time.Time) (int, error) {
	res, err := s.exec(ctx, `UPDATE users SET profile_id = ?, modified_by = ?, modified_at = ? WHERE org_id = ? AND profile_id = ?`,
		to, by, ms(at), org, from)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
