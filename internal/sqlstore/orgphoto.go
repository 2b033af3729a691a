package sqlstore

import (
	"context"
	"time"

	"github.com/crmguard/crmguard"
)

// GetOrgPhoto returns the org's photo: its ID, media type and bytes, or
// crmguard.ErrNotFound when it has none.
func (s *Store) GetOrgPhoto(ctx context.Context, org crmguard.ID) (id crmguard.ID, contentType string, data []byte, err error) {
	err = s.r().QueryRowContext(ctx, `SELECT id, content_type, data FROM org_photos WHERE org_id = ?`, org).Scan(&id, &contentType, &data)
	return id, contentType, data, mapErr(err)
}

// OrgPhotoID returns the ID of the org's photo, or 0 when it has none,
// without reading the image.
func (s *Store) OrgPhotoID(ctx context.Context, org crmguard.ID) (crmguard.ID, error) {
	var id crmguard.ID
	err := mapErr(s.r().QueryRowContext(ctx, `SELECT id FROM org_photos WHERE org_id = ?`, org).Scan(&id))
	if err == crmguard.ErrNotFound {
		return 0, nil
	}
	return id, err
}

// PutOrgPhoto sets the org's photo, replacing the one it had.
func (s *Store) PutOrgPhoto(ctx context.Context, org, id crmguard.ID, contentType string, data []byte, by crmguard.ID, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO org_photos (org_id, id, content_type, data, created_by, created_at) VALUES (?,?,?,?,?,?)
		ON CONFLICT (org_id) DO UPDATE SET id = excluded.id, content_type = excluded.content_type, data = excluded.data,
		created_by = excluded.created_by, created_at = excluded.created_at`, org, id, contentType, data, by, ms(at))
	return err
}

// DeleteOrgPhoto removes the org's photo; none is crmguard.ErrNotFound.
func (s *Store) DeleteOrgPhoto(ctx context.Context, org crmguard.ID) error {
	return s.execOne(ctx, `DELETE FROM org_photos WHERE org_id = ?`, org)
}
