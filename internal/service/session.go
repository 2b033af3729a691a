package service

import (
	"context"
	"errors"
	"time"

	"github.com/crmguard/crmguard"
)

// SessionTTL is how long a browser session lasts.
const SessionTTL = 12 * time.Hour

// Login checks the password and opens a browser session. It returns the
// cookie value, which is stored only as a hash.
func (s *Service) Login(ctx context.Context, a crmguard.Actor, email, password string) (string, *crmguard.User, error) {
	u, err := s.Authenticate(ctx, a.OrgID, email, password)
	if err != nil {
		return "", nil, err
	}
	tok := newToken()
	h := HashToken(tok)
	now := s.Now()
	se := &crmguard.Session{ID: s.ids.New(), OrgID: u.OrgID, UserID: u.ID, TokenHash: h[:], CreatedTime: now, ExpiresAt: now.Add(SessionTTL)}
	a.UserID = u.ID
	err = s.write(ctx, func(tx crmguard.Store) error {
		if err := tx.CreateSession(ctx, se); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "session.login", "user", u.ID, nil, map[string]any{"session_id": se.ID})
	})
	if err != nil {
		return "", nil, err
	}
	return tok, u, nil
}

// ErrNoSession means the cookie is unknown, expired or its user inactive.
var ErrNoSession = errors.New("no valid session")

// SessionUser returns the active user of a live session.
func (s *Service) SessionUser(ctx context.Context, token string) (*crmguard.User, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	h := HashToken(token)
	se, err := s.store.GetSession(ctx, h[:])
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrNoSession
	} else if err != nil {
		return nil, err
	}
	if !s.Now().Before(se.ExpiresAt) {
		return nil, ErrNoSession
	}
	u, err := s.store.GetUser(ctx, se.OrgID, se.UserID)
	if err != nil || !u.Active() {
		return nil, ErrNoSession
	}
	return u, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	h := HashToken(token)
	return s.store.DeleteSession(ctx, h[:])
}
