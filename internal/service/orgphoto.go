package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/crmguard/crmguard"
)

// permManageCompanyDetails is the profile permission behind Zoho's
// "Company Details" setup page, which holds the org's logo.
const permManageCompanyDetails = "Crm_Implied_Manage_Company_Details"

// OrgPhoto is the org's photo as GET /org/photo serves it.
type OrgPhoto struct {
	ID          crmguard.ID
	ContentType string
	Data        []byte
}

// OrgPhoto returns the org's photo, or nil when it has none.
func (s *Service) OrgPhoto(ctx context.Context, org crmguard.ID) (*OrgPhoto, error) {
	id, typ, data, err := s.store.GetOrgPhoto(ctx, org)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &OrgPhoto{ID: id, ContentType: typ, Data: data}, nil
}

// OrgPhotoID returns the ID of the org's photo (GET /org's photo_id), 0
// for none.
func (s *Service) OrgPhotoID(ctx context.Context, org crmguard.ID) (crmguard.ID, error) {
	return s.store.OrgPhotoID(ctx, org)
}

// photoAudit records what changed without the image: its type, size and
// digest.
func photoAudit(id crmguard.ID, typ string, data []byte) map[string]any {
	sum := sha256.Sum256(data)
	return map[string]any{"id": id, "content_type": typ, "size": len(data), "sha256": hex.EncodeToString(sum[:])}
}

// SetOrgPhoto sets the org's photo, replacing any, for a user with
// Manage Company Details (Zoho's "Company Details" setup page holds the
// logo). The caller checks the image (type, size) first.
func (s *Service) SetOrgPhoto(ctx context.Context, a crmguard.Actor, contentType string, data []byte) (crmguard.ID, error) {
	id := s.ids.New()
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, permManageCompanyDetails); err != nil {
			return err
		}
		var before any
		if old, typ, data, err := tx.GetOrgPhoto(ctx, a.OrgID); err == nil {
			before = photoAudit(old, typ, data)
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		if err := tx.PutOrgPhoto(ctx, a.OrgID, id, contentType, data, a.UserID, s.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "org.photo_upload", "org", a.OrgID, before, photoAudit(id, contentType, data))
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// DeleteOrgPhoto removes the org's photo. Zoho documents no error for an
// org without one: deleting nothing succeeds and changes nothing.
func (s *Service) DeleteOrgPhoto(ctx context.Context, a crmguard.Actor) error {
	changed := false
	err := s.store.InTx(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, permManageCompanyDetails); err != nil {
			return err
		}
		id, typ, data, err := tx.GetOrgPhoto(ctx, a.OrgID)
		if errors.Is(err, crmguard.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.DeleteOrgPhoto(ctx, a.OrgID); err != nil {
			return err
		}
		changed = true
		return s.audit(ctx, tx, a, "org.photo_delete", "org", a.OrgID, photoAudit(id, typ, data), nil)
	})
	if err != nil {
		return err
	}
	if changed {
		s.Changed()
	}
	return nil
}
