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
