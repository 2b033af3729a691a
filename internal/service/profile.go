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

// SetProfilePermissions is UpdateProfile by permission names, as the CLI
// and the console name them: each name turned on or off.
func (s *Service) SetProfilePermissions(ctx context.Context, a crmguard.Actor, profile crmguard.ID, changes map[string]bool) (*crmguard.Profile, error) {
	names := make([]string, 0, len(changes))
	for name := range changes {
		names = append(names, name)
	}
	sort.Strings(names)
	in := ProfileInput{Permissions: make([]PermissionChange, len(names))}
	for i, name := range names {
		in.Permissions[i] = PermissionChange{Name: name, Enabled: changes[name]}
	}
	return s.UpdateProfile(ctx, a, profile, in)
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
