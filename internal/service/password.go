package service

import (
	"context"
	"errors"
	"strings"

	"github.com/crmguard/crmguard"
	"golang.org/x/crypto/bcrypt"
)

func (s *Service) hashPassword(p string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(p), s.cfg.PasswordCost)
	return string(h), err
}

// ErrBadCredentials is returned for a wrong e-mail or password, without
// saying which.
var ErrBadCredentials = errors.New("invalid e-mail or password")

// dummyHash is compared against when the user does not exist, so that a
// missing user takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("crmguard-dummy-password"), bcrypt.DefaultCost)

// Authenticate checks a user's e-mail and password. Only active users with a
// password may sign in.
func (s *Service) Authenticate(ctx context.Context, org crmguard.ID, email, password string) (*crmguard.User, error) {
	u, err := s.store.GetUserByEmail(ctx, org, strings.TrimSpace(email))
	if err != nil && !errors.Is(err, crmguard.ErrNotFound) {
		return nil, err
	}
	if u == nil || u.PasswordHash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil || !u.Active() {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// ChangePassword sets a new password for a signed-in user who proves the
// current one; it clears the one-time-password flag.
func (s *Service) ChangePassword(ctx context.Context, a crmguard.Actor, current, next string) error {
	if n := len([]rune(next)); n < minPassword || len(next) > maxPassword {
		return crmguard.NewError(crmguard.CodeInvalidData, "The new password must have at least 8 characters and at most 72 bytes.", crmguard.Details{"api_name": "password"})
	}
	u, err := s.store.GetUser(ctx, a.OrgID, a.UserID)
	if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		return crmguard.NewError(crmguard.CodeInvalidData, "The current password is not right.", crmguard.Details{"api_name": "current_password"})
	}
	if current == next {
		return crmguard.NewError(crmguard.CodeInvalidData, "The new password must differ from the current one.", crmguard.Details{"api_name": "password"})
	}
	hash, err := s.hashPassword(next)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx crmguard.Store) error {
		u, err := tx.GetUser(ctx, a.OrgID, a.UserID)
		if err != nil {
			return err
		}
		u.PasswordHash, u.MustChangePassword, u.ModifiedBy, u.ModifiedTime = hash, false, u.ID, s.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user.password", "user", u.ID, nil, map[string]any{"changed": true})
	})
}

// UserProfile returns a user's profile.
func (s *Service) UserProfile(ctx context.Context, u *crmguard.User) (*crmguard.Profile, error) {
	return s.store.GetProfile(ctx, u.OrgID, u.ProfileID)
}
