package service

import (
	"context"
	"errors"

	"github.com/crmguard/crmguard"
)

// ListProfiles lists the org's profiles.
func (s *Service) ListProfiles(ctx context.Context, org crmguard.ID) ([]*crmguard.Profile, error) {
	return s.store.ListProfiles(ctx, org)
}

// ProfileByRef finds a profile by ID or name (any case).
func (s *Service) ProfileByRef(ctx context.Context, org crmguard.ID, ref string) (*crmguard.Profile, error) {
	var p *crmguard.Profile
	var err error
	if id, ok := crmguard.ParseID(ref); ok {
		p, err = s.store.GetProfile(ctx, org, id)
	} else {
		p, err = s.store.GetProfileByName(ctx, org, ref)
	}
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "the id given seems to be invalid or already deleted", crmguard.Details{"profile": ref})
	}
	return p, err
}

// ErrInvalidProfileID answers a profile ID that names no profile of the org.
var ErrInvalidProfileID = crmguard.NewError(crmguard.CodeInvalidData, msgProfileID, crmguard.Details{})

// GetProfile returns one profile; a missing one is INVALID_DATA.
func (s *Service) GetProfile(ctx context.Context, org, id crmguard.ID) (*crmguard.Profile, error) {
	return profileIn(ctx, s.store, org, id)
}

// profileIn reads a profile through st (a transaction or the store),
// answering a missing one with INVALID_DATA.
func profileIn(ctx context.Context, st crmguard.Store, org, id crmguard.ID) (*crmguard.Profile, error) {
	p, err := st.GetProfile(ctx, org, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInvalidProfileID
	}
	return p, err
}

// PermissionIDs returns the org's permission IDs by catalogue index.
func (s *Service) PermissionIDs(ctx context.Context, org crmguard.ID) ([]crmguard.ID, error) {
	perms, err := s.store.ListPermissions(ctx, org)
	if err != nil {
		return nil, err
	}
	ids := make([]crmguard.ID, len(crmguard.Catalogue))
	for _, p := range perms {
		if p.Index >= 0 && p.Index < len(ids) {
			ids[p.Index] = p.ID
		}
	}
	return ids, nil
}
