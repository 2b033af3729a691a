package service

import (
	"context"
	"errors"
	"time"

	"github.com/crmguard/crmguard"
)

// SessionTTL is how long a browser session lasts.
const SessionTTL = 12 * time.Hour

// ErrMustChangePassword means the password was right but is a one-time
// password: no session opens until the user chooses their own through
// LoginChangingPassword.
var ErrMustChangePassword = errors.New("a one-time password must be changed before signing in")

// Login checks the password and opens a browser session. It returns the
// cookie value, which is stored only as a hash. Every sign-in page goes
// through it, so every one is throttled alike (throttle.go): a
// *ThrottledError refuses the try without checking the password. a.ClientIP
// is the address the throttle counts by.
func (s *Service) Login(ctx context.Context, a crmguard.Actor, email, password string) (string, *crmguard.User, error) {
	u, err := s.signIn(ctx, a, email, password)
	if err != nil {
		return "", nil, err
	}
	if u.MustChangePassword {
		return "", u, ErrMustChangePassword
	}
	a.UserID = u.ID
	var tok string
	err = s.write(ctx, func(tx crmguard.Store) error {
		tok, err = s.openSession(ctx, tx, a, u)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return tok, u, nil
}

// LoginChangingPassword signs in a user who proves their current password
// (throttled as Login is) and sets next as their new one, clearing the
// one-time-password flag; the change and the session are one transaction.
func (s *Service) LoginChangingPassword(ctx context.Context, a crmguard.Actor, email, current, next string) (string, *crmguard.User, error) {
	if err := checkNewPassword(current, next); err != nil {
		return "", nil, err
	}
	u, err := s.signIn(ctx, a, email, current)
	if err != nil {
		return "", nil, err
	}
	hash, err := s.hashPassword(next)
	if err != nil {
		return "", nil, err
	}
	a.UserID = u.ID
	var tok string
	verified := u.PasswordHash
	err = s.write(ctx, func(tx crmguard.Store) error {
		if u, err = tx.GetUser(ctx, u.OrgID, u.ID); err != nil {
			return err
		}
		// Re-checked under the write lock: a password changed or a user
		// deactivated since the check above gets no session.
		if u.PasswordHash != verified || !u.Active() {
			return ErrBadCredentials
		}
		u.PasswordHash, u.MustChangePassword, u.ModifiedBy, u.ModifiedTime = hash, false, u.ID, s.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "user.password", "user", u.ID, nil, map[string]any{"changed": true}); err != nil {
			return err
		}
		tok, err = s.openSession(ctx, tx, a, u)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return tok, u, nil
}

// signIn is Authenticate behind the sign-in throttle.
func (s *Service) signIn(ctx context.Context, a crmguard.Actor, email, password string) (*crmguard.User, error) {
	keys := signInKeys(email, a.ClientIP)
	at := s.Now()
	if err := s.signins.begin(at, keys); err != nil {
		return nil, err
	}
	u, err := s.Authenticate(ctx, a.OrgID, email, password)
	switch {
	case err == nil:
		s.signins.succeeded(at, keys)
	case errors.Is(err, ErrBadCredentials):
		// begin counted it already.
	default:
		s.signins.abandoned(at, keys)
	}
	return u, err
}

func (s *Service) openSession(ctx context.Context, tx crmguard.Store, a crmguard.Actor, u *crmguard.User) (string, error) {
	tok := s.newToken()
	h := HashToken(tok)
	now := s.Now()
	se := &crmguard.Session{ID: s.ids.New(), OrgID: u.OrgID, UserID: u.ID, TokenHash: h[:], CreatedTime: now, ExpiresAt: now.Add(SessionTTL)}
	if err := tx.CreateSession(ctx, se); err != nil {
		return "", err
	}
	return tok, s.audit(ctx, tx, a, "session.login", "user", u.ID, nil, map[string]any{"session_id": se.ID})
}

// ErrNoSession means the cookie is unknown, expired or its user inactive.
var ErrNoSession = errors.New("no valid session")

// SessionUser returns the active user of a live session. A user who must
// change a one-time password has no session, even one opened before the
// flag was set.
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
	if err != nil || !u.Active() || u.MustChangePassword {
		return nil, ErrNoSession
	}
	return u, nil
}

// Logout ends a session and records it; the event names the session by
// its ID, never its token. An unknown session is not an error.
func (s *Service) Logout(ctx context.Context, a crmguard.Actor, token string) error {
	h := HashToken(token)
	return s.write(ctx, func(tx crmguard.Store) error {
		se, err := tx.GetSession(ctx, h[:])
		if errors.Is(err, crmguard.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, h[:]); err != nil {
			return err
		}
		a.OrgID, a.UserID = se.OrgID, se.UserID
		return s.audit(ctx, tx, a, "session.logout", "user", se.UserID, nil, map[string]any{"session_id": se.ID})
	})
}
