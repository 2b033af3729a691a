package service

import (
	"context"

	"github.com/crmguard/crmguard"
)

// requirePermission checks that the actor's profile grants perm; else 403
// NO_PERMISSION naming it. System actions (no user) pass.
func (s *Service) requirePermission(ctx context.Context, tx crmguard.Store, a crmguard.Actor, perm string) error {
	_, err := s.requirePermissionAdmin(ctx, tx, a, perm)
	return err
}

// requirePermissionAdmin is requirePermission that also says whether the
// actor holds the Administrator profile (actorIsAdmin), from the same two
// reads: a write that needs both reads the actor once.
func (s *Service) requirePermissionAdmin(ctx context.Context, tx crmguard.Store, a crmguard.Actor, perm string) (bool, error) {
	if a.UserID == 0 && a.Source == crmguard.SourceSystem {
		return true, nil
	}
	u, err := tx.GetUser(ctx, a.OrgID, a.UserID)
	if err != nil {
		return false, err
	}
	p, err := tx.GetProfile(ctx, a.OrgID, u.ProfileID)
	if err != nil {
		return false, err
	}
	if !u.Active() || !p.Permissions.Has(perm) {
		return false, crmguard.NewError(crmguard.CodeNoPermission, "permission denied", crmguard.Details{"permissions": []string{perm}})
	}
	return p.IsAdministrator(), nil
}
