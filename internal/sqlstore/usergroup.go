package sqlstore

import (
	"context"

	"github.com/crmguard/crmguard"
)

const groupCols = `org_id, id, name, description, created_by, modified_by, created_at, modified_at`

func scanGroup(row interface{ Scan(...any) error }) (*crmguard.UserGroup, error) {
	var g crmguard.UserGroup
	var created, modified int64
	if err := row.Scan(&g.OrgID, &g.ID, &g.Name, &g.Description, &g.CreatedBy, &g.ModifiedBy, &created, &modified); err != nil {
		return nil, mapErr(err)
	}
	g.CreatedTime, g.ModifiedTime = fromMS(created), fromMS(modified)
	return &g, nil
}

// CreateUserGroup inserts a group and its sources; a duplicate name (any
// case) is ErrConflict, from the unique index.
func (s *Store) CreateUserGroup(ctx context.Context, g *crmguard.UserGroup) error {
	if _, err := s.exec(ctx, `INSERT INTO user_groups (`+groupCols+`) VALUES (?,?,?,?,?,?,?,?)`,
		g.OrgID, g.ID, g.Name, g.Description, g.CreatedBy, g.ModifiedBy, ms(g.CreatedTime), ms(g.ModifiedTime)); err != nil {
		return err
	}
	return s.insertSources(ctx, g)
}

func (s *Store) insertSources(ctx context.Context, g *crmguard.UserGroup) error {
	for i, src := range g.Sources {
		if _, err := s.exec(ctx, `INSERT INTO user_group_sources (org_id, group_id, type, source_id, subordinates, position)
			VALUES (?,?,?,?,?,?)`, g.OrgID, g.ID, src.Type, src.ID, b2i(src.Subordinates), i); err != nil {
			return err
		}
	}
	return nil
}

// UpdateUserGroup writes the mutable columns and replaces the sources.
func (s *Store) UpdateUserGroup(ctx context.Context, g *crmguard.UserGroup) error {
	if err := s.execOne(ctx, `UPDATE user_groups SET name = ?, description = ?, modified_by = ?, modified_at = ?
		WHERE org_id = ? AND id = ?`, g.Name, g.Description, g.ModifiedBy, ms(g.ModifiedTime), g.OrgID, g.ID); err != nil {
		return err
	}
	if _, err := s.exec(ctx, `DELETE FROM user_group_sources WHERE org_id = ? AND group_id = ?`, g.OrgID, g.ID); err != nil {
		return err
	}
	return s.insertSources(ctx, g)
}

// DeleteUserGroup removes a group; its sources go with it (ON DELETE CASCADE).
func (s *Store) DeleteUserGroup(ctx context.Context, org, id crmguard.ID) error {
	return s.execOne(ctx, `DELETE FROM user_groups WHERE org_id = ? AND id = ?`, org, id)
}

// GetUserGroup returns one group with its sources.
func (s *Store) GetUserGroup(ctx context.Context, org, id crmguard.ID) (*crmguard.UserGroup, error) {
	g, err := scanGroup(s.r().QueryRowContext(ctx, `SELECT `+groupCols+` FROM user_groups WHERE org_id = ? AND id = ?`, org, id))
	if err != nil {
		return nil, err
	}
	return g, s.loadSources(ctx, org, []*crmguard.UserGroup{g})
}

// ListUserGroups returns the org's groups with their sources, oldest first.
func (s *Store) ListUserGroups(ctx context.Context, org crmguard.ID) ([]*crmguard.UserGroup, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+groupCols+` FROM user_groups WHERE org_id = ? ORDER BY id`, org)
	if err != nil {
		return nil, mapErr(err)
	}
	gs, err := collect(rows, scanGroup)
	if err != nil {
		return nil, err
	}
	return gs, s.loadSources(ctx, org, gs)
}

// loadSources fills the groups' sources in the order given, skipping a
// role deleted since it was added.
func (s *Store) loadSources(ctx context.Context, org crmguard.ID, gs []*crmguard.UserGroup) error {
	if len(gs) == 0 {
		return nil
	}
	byID := make(map[crmguard.ID]*crmguard.UserGroup, len(gs))
	for _, g := range gs {
		byID[g.ID] = g
	}
	// One group (GetUserGroup) reads only its own sources.
	q, args := `SELECT s.group_id, s.type, s.source_id, s.subordinates FROM user_group_sources s
		WHERE s.org_id = ? AND (s.type = 'users' OR EXISTS (SELECT 1 FROM roles r WHERE r.org_id = s.org_id AND r.id = s.source_id))`, []any{org}
	if len(gs) == 1 {
		q, args = q+` AND s.group_id = ?`, append(args, gs[0].ID)
	}
	rows, err := s.r().QueryContext(ctx, q+` ORDER BY s.group_id, s.position`, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var gid crmguard.ID
		var src crmguard.GroupSource
		var sub int
		if err := rows.Scan(&gid, &src.Type, &src.ID, &sub); err != nil {
			return mapErr(err)
		}
		src.Subordinates = sub != 0
		if g := byID[gid]; g != nil {
			g.Sources = append(g.Sources, src)
		}
	}
	return mapErr(rows.Err())
}
