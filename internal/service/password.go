package service

import (
	"context"
	"errors"
	"strings"
	"sync"

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
// missing user takes as long as a wrong password. It has the configured
// cost: a fixed one would tell a missing user by time wherever the stored
// hashes' cost differs from it.
func dummyHash(cost int) []byte {
	dummies.Lock()
	defer dummies.Unlock()
	h, ok := dummies.byCost[cost]
	if !ok {
		h, _ = bcrypt.GenerateFromPassword([]byte("crmguard-dummy-password"), cost)
		dummies.byCost[cost] = h
	}
	return h
}

var dummies = struct {
	sync.Mutex
	byCost map[int][]byte
}{byCost: map[int][]byte{}}

// Authenticate checks a user's e-mail and password. Only active users with a
// password may sign in. It is not throttled: sign-in pages go through Login
// or LoginChangingPassword, which are.
func (s *Service) Authenticate(ctx context.Context, org crmguard.ID, email, password string) (*crmguard.User, error) {
	u, err := s.store.GetUserByEmail(ctx, org, strings.TrimSpace(email))
	if err != nil && !errors.Is(err, crmguard.ErrNotFound) {
		return nil, err
	}
	if u == nil || u.PasswordHash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash(s.cfg.PasswordCost), []byte(password))
		return nil, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil || !u.Active() {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// ChangePassword sets a new password for a signed-in user who proves the
// current one; it clears the one-time-password flag. The proof is throttled
// as a sign-in is, under the user's e-mail and a.ClientIP: a borrowed
// session must not become a way to guess the password.
func (s *Service) ChangePassword(ctx context.Context, a crmguard.Actor, current, next string) error {
	if err := checkNewPassword(current, next); err != nil {
		return err
	}
	u, err := s.store.GetUser(ctx, a.OrgID, a.UserID)
	if err != nil {
		return err
	}
	keys := signInKeys(u.Email, a.ClientIP)
	at := s.Now()
	if err := s.signins.begin(at, keys); err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		return crmguard.NewError(crmguard.CodeInvalidData, "The current password is not right.", crmguard.Details{"api_name": "current_password"})
	}
	s.signins.succeeded(at, keys)
	hash, err := s.hashPassword(next)
	if err != nil {
		return err
	}
	verified := u.PasswordHash
	return s.write(ctx, func(tx crmguard.Store) error {
		u, err := tx.GetUser(ctx, a.OrgID, a.UserID)
		if err != nil {
			return err
		}
		// The password proved above must still be the stored one: a change
		// or reset that committed in between wins, and this one is refused.
		if u.PasswordHash != verified {
			return crmguard.NewError(crmguard.CodeInvalidData, "The current password is not right.", crmguard.Details{"api_name": "current_password"})
		}
		u.PasswordHash, u.MustChangePassword, u.ModifiedBy, u.ModifiedTime = hash, false, u.ID, s.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user.password", "user", u.ID, nil, map[string]any{"changed": true})
	})
}

// checkNewPassword applies the password rules to a chosen password.
func checkNewPassword(current, next string) error {
	if n := len([]rune(next)); n < minPassword || len(next) > maxPassword {
		return crmguard.NewError(crmguard.CodeInvalidData, "The new password must have at least 8 characters and at most 72 bytes.", crmguard.Details{"api_name": "password"})
	}
	if current == next {
		return crmguard.NewError(crmguard.CodeInvalidData, "The new password must differ from the current one.", crmguard.Details{"api_name": "password"})
	}
	return nil
}

// UserProfile returns a user's profile.
func (s *Service) UserProfile(ctx context.Context, u *crmguard.User) (*crmguard.Profile, error) {
	return s.store.GetProfile(ctx, u.OrgID, u.ProfileID)
}
