package service

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// SetPassword sets a user's password for them: the way back in when the
// only administrator has lost theirs. Unless permanent, the user must
// choose a new one at their next sign-in, so whoever typed it does not
// keep knowing it. Every session of the user ends (whoever signed in with
// the old password is out). A pending invitation or reset link stops working, and
// an unconfirmed user counts as confirmed: they now have a password. The
// audit event says that the password was set, never what it is.
func (s *Service) SetPassword(ctx context.Context, a crmguard.Actor, id crmguard.ID, password string, permanent bool) error {
	if n := utf8.RuneCountInString(password); n < minPassword || len(password) > maxPassword {
		return crmguard.NewError(crmguard.CodeInvalidData,
			fmt.Sprintf("The password must have at least %d characters and at most %d bytes.", minPassword, maxPassword),
			crmguard.Details{"api_name": "password"})
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) || (err == nil && u.Status == crmguard.UserDeleted) {
			return crmguard.NewError(crmguard.CodeInvalidData, msgInvalidID, crmguard.Details{"id": id.String()})
		} else if err != nil {
			return err
		}
		if err := s.requireAdminOver(ctx, tx, a, u); err != nil {
			return err
		}
		u.PasswordHash, u.MustChangePassword, u.Confirmed = hash, !permanent, true
		u.InviteHash, u.InviteExpires = nil, zeroTime
		u.ModifiedBy, u.ModifiedTime = a.UserID, s.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		// Whoever held a session of the old password loses it.
		ended, err := tx.DeleteUserSessions(ctx, u.OrgID, u.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user.password", "user", u.ID, nil, map[string]any{"changed": true, "must_change": !permanent, "sessions_ended": ended})
	})
}
