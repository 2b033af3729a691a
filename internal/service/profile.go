package service

import (
	"context"
	"errors"
	"sort"

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

// enabledNames lists the names of the permissions in a set, sorted.
func enabledNames(ps crmguard.PermSet) []string {
	var out []string
	for i, p := range crmguard.Catalogue {
		if ps.HasIndex(i) {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// SetProfilePermissions turns permissions of a profile on or off, by name.
// The built-in Administrator profile cannot be edited; an unknown name is
// INVALID_DATA naming it; all changes apply or none. The caller needs
// Manage_Profiles (the CLI acts as the primary contact, who has it).
func (s *Service) SetProfilePermissions(ctx context.Context, a crmguard.Actor, profile crmguard.ID, changes map[string]bool) (*crmguard.Profile, error) {
	var out *crmguard.Profile
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageProfiles); err != nil {
			return err
		}
		p, err := tx.GetProfile(ctx, a.OrgID, profile)
		if errors.Is(err, crmguard.ErrNotFound) {
			return crmguard.NewError(crmguard.CodeInvalidData, "the id given seems to be invalid or already deleted", crmguard.Details{"id": profile.String()})
		} else if err != nil {
			return err
		}
		if p.IsAdministrator() {
			return crmguard.NewError(crmguard.CodeInvalidData, "The Administrator profile cannot be edited", crmguard.Details{"id": p.ID.String()})
		}
		before := enabledNames(p.Permissions)
		for name, on := range changes {
			i, ok := crmguard.PermissionIndex(name)
			if !ok {
				return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": "permissions_details", "name": name})
			}
			p.Permissions.Set(i, on)
		}
		p.ModifiedBy, p.ModifiedTime = a.UserID, s.Now()
		if err := tx.UpdateProfile(ctx, p); err != nil {
			return err
		}
		out = p
		return s.audit(ctx, tx, a, "profile.update", "profile", p.ID,
			map[string]any{"name": p.Name, "permissions": before},
			map[string]any{"name": p.Name, "permissions": enabledNames(p.Permissions)})
	})
	return out, err
}

// requirePermission checks that the actor's profile grants perm; else 403
// NO_PERMISSION naming it. System actions (no user) pass.
func (s *Service) requirePermission(ctx context.Context, tx crmguard.Store, a crmguard.Actor, perm string) error {
	if a.UserID == 0 && a.Source == crmguard.SourceSystem {
		return nil
	}
	u, err := tx.GetUser(ctx, a.OrgID, a.UserID)
	if err != nil {
		return err
	}
	p, err := tx.GetProfile(ctx, a.OrgID, u.ProfileID)
	if err != nil {
		return err
	}
	if !u.Active() || !p.Permissions.Has(perm) {
		return crmguard.NewError(crmguard.CodeNoPermission, "permission denied", crmguard.Details{"permissions": []string{perm}})
	}
	return nil
}
