package service

import (
	"context"

	"github.com/crmguard/crmguard"
)

// msgAdminOnly answers a user without the Administrator profile who tries to
// give it, or to change a user who holds it. Manage_Users alone must not be
// a way to make oneself (or an accomplice) the org's administrator.
const msgAdminOnly = "Only a user with the Administrator profile can give that profile or change a user who holds it."

// actorIsAdmin reports whether the actor's profile is the built-in
// Administrator. System actions (no user) count as the administrator.
func (s *Service) actorIsAdmin(ctx context.Context, tx crmguard.Store, a crmguard.Actor) (bool, error) {
	if a.UserID == 0 && a.Source == crmguard.SourceSystem {
		return true, nil
	}
	u, err := tx.GetUser(ctx, a.OrgID, a.UserID)
	if err != nil {
		return false, err
	}
	return s.profileIsAdmin(ctx, tx, a.OrgID, u.ProfileID)
}

func (s *Service) profileIsAdmin(ctx context.Context, tx crmguard.Store, org, profile crmguard.ID) (bool, error) {
	p, err := tx.GetProfile(ctx, org, profile)
	if err != nil {
		return false, err
	}
	return p.IsAdministrator(), nil
}

// requireAdminOver fails with NO_PERMISSION when target holds the
// Administrator profile and the actor does not.
func (s *Service) requireAdminOver(ctx context.Context, tx crmguard.Store, a crmguard.Actor, target *crmguard.User) error {
	admin, err := s.profileIsAdmin(ctx, tx, a.OrgID, target.ProfileID)
	if err != nil || !admin {
		return err
	}
	ok, err := s.actorIsAdmin(ctx, tx, a)
	if err != nil {
		return err
	}
	if !ok {
		return crmguard.NewError(crmguard.CodeNoPermission, msgAdminOnly, crmguard.Details{"id": target.ID.String()})
	}
	return nil
}

// mayGiveProfile fails with NO_PERMISSION about the record's profile field
// when profile is the Administrator profile and the actor does not hold it.
func (s *Service) mayGiveProfile(ctx context.Context, tx crmguard.Store, a crmguard.Actor, profile crmguard.ID) error {
	admin, err := s.profileIsAdmin(ctx, tx, a.OrgID, profile)
	if err != nil || !admin {
		return err
	}
	if ok, err := s.actorIsAdmin(ctx, tx, a); err != nil || ok {
		return err
	}
	return recordErr(crmguard.CodeNoPermission, msgAdminOnly, "profile", nil)
}

// updateReads is what the records of one update share.
type updateReads struct {
	admin        bool // the actor holds the Administrator profile
	org          *crmguard.Org
	adminProfile map[crmguard.ID]bool // profile → is Administrator, as read in this transaction
}

// isAdminProfile is profileIsAdmin, read once per profile per request.
func (s *Service) isAdminProfile(ctx context.Context, tx crmguard.Store, org crmguard.ID, rc *updateReads, profile crmguard.ID) (bool, error) {
	if v, ok := rc.adminProfile[profile]; ok {
		return v, nil
	}
	v, err := s.profileIsAdmin(ctx, tx, org, profile)
	if err == nil {
		rc.adminProfile[profile] = v
	}
	return v, err
}
