package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// Password rules for invited users (bcrypt reads at most 72 bytes).
const (
	minPassword = 8
	maxPassword = 72
)

// ErrInviteInvalid answers an invitation link that is unknown, used or
// expired.
var ErrInviteInvalid = crmguard.NewError(crmguard.CodeInvalidData, "This invitation link is not valid any more. Ask your administrator for a new one.", crmguard.Details{"api_name": "token"})

// Reinvite makes a new invitation link for a user not yet confirmed; the
// old link stops working.
func (s *Service) Reinvite(ctx context.Context, a crmguard.Actor, id crmguard.ID) (string, error) {
	var url string
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) || (err == nil && u.Status == crmguard.UserDeleted) {
			return crmguard.NewError(crmguard.CodeInvalidData, msgInvalidID, crmguard.Details{"id": id.String()})
		} else if err != nil {
			return err
		}
		if u.Confirmed {
			return crmguard.NewError(crmguard.CodeInvalidRequest, msgReinvite, crmguard.Details{"id": id.String()})
		}
		if err := s.requireAdminOver(ctx, tx, a, u); err != nil {
			return err
		}
		token := s.newSecret()
		h := HashToken(token)
		u.InviteHash, u.InviteExpires = h[:], s.Now().Add(s.cfg.InviteTTL)
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		url = s.inviteURL(token)
		// The link is a credential: it goes to the caller once, never to the
		// audit log, which more people may read.
		return s.audit(ctx, tx, a, "user.invite", "user", u.ID, nil, map[string]any{"email": u.Email, "invite_expires": u.InviteExpires})
	})
	return url, err
}

// resetTTL caps how long a password-reset link works: it opens a confirmed
// account, so it lives shorter than an invitation.
const resetTTL = 24 * time.Hour

// PasswordResetLink makes a one-time link where a confirmed, active user sets
// a new password (the invitation page serves it). Only the link's hash is
// stored, in the invitation columns, so a newer link or invitation replaces
// it; the audit log records that a link was made, never the link.
func (s *Service) PasswordResetLink(ctx context.Context, a crmguard.Actor, id crmguard.ID) (string, error) {
	var url string
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) || (err == nil && u.Status == crmguard.UserDeleted) {
			return crmguard.NewError(crmguard.CodeInvalidData, msgInvalidID, crmguard.Details{"id": id.String()})
		} else if err != nil {
			return err
		}
		if !u.Confirmed || u.Status != crmguard.UserActive {
			return crmguard.NewError(crmguard.CodeInvalidRequest, msgResetNotAllowed, crmguard.Details{"id": id.String()})
		}
		if err := s.requireAdminOver(ctx, tx, a, u); err != nil {
			return err
		}
		token := s.newSecret()
		h := HashToken(token)
		u.InviteHash, u.InviteExpires = h[:], s.Now().Add(min(s.cfg.InviteTTL, resetTTL))
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		url = s.inviteURL(token)
		return s.audit(ctx, tx, a, "user.password_reset", "user", u.ID, nil,
			map[string]any{"email": u.Email, "link_expires": u.InviteExpires})
	})
	return url, err
}

// InvitedUser returns the user a live invitation link belongs to.
func (s *Service) InvitedUser(ctx context.Context, token string) (*crmguard.User, error) {
	return s.invitedUser(ctx, s.store, token)
}

func (s *Service) invitedUser(ctx context.Context, st crmguard.Store, token string) (*crmguard.User, error) {
	h := HashToken(token)
	u, err := st.GetUserByInvite(ctx, h[:])
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInviteInvalid
	} else if err != nil {
		return nil, err
	}
	if u.Status == crmguard.UserDeleted || !s.Now().Before(u.InviteExpires) || !bytes.Equal(u.InviteHash, h[:]) {
		return nil, ErrInviteInvalid
	}
	return u, nil
}

// AcceptInvite sets the invited user's password and confirms them; the link
// works once. A password-reset link for a confirmed user works the same way.
func (s *Service) AcceptInvite(ctx context.Context, clientIP, token, password string) (*crmguard.User, error) {
	if n := utf8.RuneCountInString(password); n < minPassword || len(password) > maxPassword {
		return nil, crmguard.NewError(crmguard.CodeInvalidData,
			fmt.Sprintf("The password must have at least %d characters and at most %d bytes.", minPassword, maxPassword),
			crmguard.Details{"api_name": "password"})
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return nil, err
	}
	var out *crmguard.User
	err = s.write(ctx, func(tx crmguard.Store) error {
		u, err := s.invitedUser(ctx, tx, token)
		if err != nil {
			return err
		}
		reset := u.Confirmed // a password-reset link, not an invitation
		u.PasswordHash, u.MustChangePassword, u.Confirmed = hash, false, true
		u.InviteHash, u.InviteExpires = nil, time.Time{}
		u.ModifiedBy, u.ModifiedTime = u.ID, s.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		out = u
		a := crmguard.Actor{OrgID: u.OrgID, UserID: u.ID, Source: crmguard.SourceConsole, ClientIP: clientIP}
		if reset {
			// A reset means the old password may be known to someone
			// else: every session opened with it ends.
			ended, err := tx.DeleteUserSessions(ctx, u.OrgID, u.ID)
			if err != nil {
				return err
			}
			return s.audit(ctx, tx, a, "user.password", "user", u.ID, nil, map[string]any{"changed": true, "by": "reset_link", "sessions_ended": ended})
		}
		return s.audit(ctx, tx, a, "user.confirm", "user", u.ID, map[string]any{"confirm": false}, map[string]any{"confirm": true})
	})
	return out, err
}
