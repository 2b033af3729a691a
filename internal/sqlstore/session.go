package sqlstore

import (
	"context"

	"github.com/crmguard/crmguard"
)

// CreateSession inserts a browser session.
func (s *Store) CreateSession(ctx context.Context, se *crmguard.Session) error {
	_, err := s.exec(ctx, `INSERT INTO sessions (org_id, id, token_hash, user_id, created_at, expires_at) VALUES (?,?,?,?,?,?)`,
		se.OrgID, se.ID, se.TokenHash, se.UserID, ms(se.CreatedTime), ms(se.ExpiresAt))
	return err
}

// GetSession finds a session by the hash of its cookie value.
func (s *Store) GetSession(ctx context.Context, hash []byte) (*crmguard.Session, error) {
	var se crmguard.Session
	var created, expires int64
	err := s.r().QueryRowContext(ctx, `SELECT org_id, id, token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = ?`, hash).
		Scan(&se.OrgID, &se.ID, &se.TokenHash, &se.UserID, &created, &expires)
	if err != nil {
		return nil, mapErr(err)
	}
	se.CreatedTime, se.ExpiresAt = fromMS(created), fromMS(expires)
	return &se, nil
}

// DeleteSession removes a session; removing one that is gone is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash)
	return err
}

// DeleteUserSessions removes every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, org, user crmguard.ID) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM sessions WHERE org_id = ? AND user_id = ?`, org, user)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
