package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
)

const clientCols = `org_id, id, client_id, secret_hash, name, type, redirect_uris, created_by, created_at`

func scanClient(row interface{ Scan(...any) error }) (*crmguard.Client, error) {
	var c crmguard.Client
	var uris string
	var created int64
	if err := row.Scan(&c.OrgID, &c.ID, &c.ClientID, &c.SecretHash, &c.Name, &c.Type, &uris, &c.CreatedBy, &created); err != nil {
		return nil, mapErr(err)
	}
	if uris != "" {
		c.RedirectURIs = strings.Split(uris, "\n")
	}
	c.CreatedTime = fromMS(created)
	return &c, nil
}

// CreateClient inserts an OAuth client.
func (s *Store) CreateClient(ctx context.Context, c *crmguard.Client) error {
	_, err := s.exec(ctx, `INSERT INTO clients (`+clientCols+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		c.OrgID, c.ID, c.ClientID, c.SecretHash, c.Name, c.Type, strings.Join(c.RedirectURIs, "\n"),
		c.CreatedBy, ms(c.CreatedTime))
	return err
}

// GetClient finds a client by its public client_id.
func (s *Store) GetClient(ctx context.Context, clientID string) (*crmguard.Client, error) {
	return scanClient(s.r().QueryRowContext(ctx, `SELECT `+clientCols+` FROM clients WHERE client_id = ?`, clientID))
}

// ListClients returns the org's clients, oldest first.
func (s *Store) ListClients(ctx context.Context, org crmguard.ID) ([]*crmguard.Client, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+clientCols+` FROM clients WHERE org_id = ? ORDER BY id`, org)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanClient)
}

// DeleteClient removes a client and revokes its tokens. Its unused grant
// codes need no change: an exchange looks the client up and finds none.
func (s *Store) DeleteClient(ctx context.Context, org crmguard.ID, clientID string, at time.Time) error {
	return s.InTx(ctx, func(tx crmguard.Store) error {
		t := tx.(*Store)
		if err := t.execOne(ctx, `DELETE FROM clients WHERE org_id = ? AND client_id = ?`, org, clientID); err != nil {
			return err
		}
		for _, table := range []string{"refresh_tokens", "access_tokens"} {
			if _, err := t.exec(ctx, `UPDATE `+table+` SET revoked_at = ? WHERE org_id = ? AND client_id = ? AND revoked_at IS NULL`,
				ms(at), org, clientID); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateClientSecret replaces a client's secret hash.
func (s *Store) UpdateClientSecret(ctx context.Context, org crmguard.ID, clientID string, secretHash []byte) error {
	return s.execOne(ctx, `UPDATE clients SET secret_hash = ? WHERE org_id = ? AND client_id = ?`, secretHash, org, clientID)
}

const grantCols = `org_id, id, code_hash, client_id, user_id, scopes, redirect_uri, code_challenge,
	code_challenge_method, offline, expires_at, used_at, created_at`

// CreateGrant inserts a grant code.
func (s *Store) CreateGrant(ctx context.Context, g *crmguard.Grant) error {
	_, err := s.exec(ctx, `INSERT INTO grants (`+grantCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		g.OrgID, g.ID, g.CodeHash, g.ClientID, g.UserID, g.Scopes, g.RedirectURI, g.CodeChallenge,
		g.CodeChallengeMethod, b2i(g.Offline), ms(g.ExpiresAt), nullMS(g.UsedAt), ms(g.CreatedTime))
	return err
}

// UseGrant marks an unused grant used and returns it, in one statement.
func (s *Store) UseGrant(ctx context.Context, codeHash []byte, at time.Time) (*crmguard.Grant, error) {
	return scanGrant(s.w().QueryRowContext(ctx, `UPDATE grants SET used_at = ? WHERE code_hash = ? AND used_at IS NULL
		RETURNING `+grantCols, ms(at), codeHash))
}

// GetGrant finds a grant by code hash, used or not.
func (s *Store) GetGrant(ctx context.Context, codeHash []byte) (*crmguard.Grant, error) {
	return scanGrant(s.r().QueryRowContext(ctx, `SELECT `+grantCols+` FROM grants WHERE code_hash = ?`, codeHash))
}

func scanGrant(row interface{ Scan(...any) error }) (*crmguard.Grant, error) {
	var g crmguard.Grant
	var offline int
	var expires, created int64
	var used sql.NullInt64
	if err := row.Scan(&g.OrgID, &g.ID, &g.CodeHash, &g.ClientID, &g.UserID, &g.Scopes, &g.RedirectURI,
		&g.CodeChallenge, &g.CodeChallengeMethod, &offline, &expires, &used, &created); err != nil {
		return nil, mapErr(err)
	}
	g.Offline = offline != 0
	g.ExpiresAt, g.UsedAt, g.CreatedTime = fromMS(expires), fromNullMS(used), fromMS(created)
	return &g, nil
}

// CountGrantsSince counts grants made for a client since t.
func (s *Store) CountGrantsSince(ctx context.Context, clientID string, since time.Time) (int, error) {
	var n int
	err := s.r().QueryRowContext(ctx, `SELECT count(*) FROM grants WHERE client_id = ? AND created_at >= ?`, clientID, ms(since)).Scan(&n)
	return n, mapErr(err)
}

const refreshCols = `org_id, id, token_hash, client_id, user_id, scopes, grant_id, revoked_at, last_used, created_at`

func scanRefresh(row interface{ Scan(...any) error }) (*crmguard.RefreshToken, error) {
	var t crmguard.RefreshToken
	var revoked, used sql.NullInt64
	var created int64
	if err := row.Scan(&t.OrgID, &t.ID, &t.TokenHash, &t.ClientID, &t.UserID, &t.Scopes, &t.GrantID, &revoked, &used, &created); err != nil {
		return nil, mapErr(err)
	}
	t.RevokedAt, t.LastUsed, t.CreatedTime = fromNullMS(revoked), fromNullMS(used), fromMS(created)
	return &t, nil
}

// CreateRefreshToken inserts a refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t *crmguard.RefreshToken) error {
	_, err := s.exec(ctx, `INSERT INTO refresh_tokens (`+refreshCols+`) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		t.OrgID, t.ID, t.TokenHash, t.ClientID, t.UserID, t.Scopes, t.GrantID, nullMS(t.RevokedAt), nullMS(t.LastUsed), ms(t.CreatedTime))
	return err
}

// GetRefreshToken finds a refresh token by hash, revoked or not.
func (s *Store) GetRefreshToken(ctx context.Context, hash []byte) (*crmguard.RefreshToken, error) {
	return scanRefresh(s.r().QueryRowContext(ctx, `SELECT `+refreshCols+` FROM refresh_tokens WHERE token_hash = ?`, hash))
}

// ListLiveRefreshTokens lists a user's unrevoked refresh tokens for a client, oldest first.
func (s *Store) ListLiveRefreshTokens(ctx context.Context, org crmguard.ID, clientID string, user crmguard.ID) ([]*crmguard.RefreshToken, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+refreshCols+` FROM refresh_tokens
		WHERE org_id = ? AND user_id = ? AND client_id = ? AND revoked_at IS NULL ORDER BY created_at, id`, org, user, clientID)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanRefresh)
}

// RevokeRefreshToken revokes a refresh token and every access token minted from it.
func (s *Store) RevokeRefreshToken(ctx context.Context, id crmguard.ID, at time.Time) error {
	return s.InTx(ctx, func(tx crmguard.Store) error {
		t := tx.(*Store)
		if err := t.execOne(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, ms(at), id); err != nil {
			return err
		}
		_, err := t.exec(ctx, `UPDATE access_tokens SET revoked_at = ? WHERE refresh_id = ? AND revoked_at IS NULL`, ms(at), id)
		return err
	})
}

// UseRefreshToken records the use of a live refresh token of this client
// and returns it, in one statement. PostgreSQL keeps the updated row locked
// until commit: a revocation's UPDATE of the same row waits, then revokes
// the access token minted beside this use, and a use that waits on a
// revocation finds the row revoked. SQLite's single writer orders them the
// same way.
func (s *Store) UseRefreshToken(ctx context.Context, hash []byte, clientID string, at time.Time) (*crmguard.RefreshToken, error) {
	return scanRefresh(s.w().QueryRowContext(ctx, `UPDATE refresh_tokens SET last_used = ?
		WHERE token_hash = ? AND client_id = ? AND revoked_at IS NULL RETURNING `+refreshCols, ms(at), hash, clientID))
}

// TouchRefreshToken records its last use.
func (s *Store) TouchRefreshToken(ctx context.Context, id crmguard.ID, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE refresh_tokens SET last_used = ? WHERE id = ?`, ms(at), id)
	return err
}

const accessCols = `org_id, id, token_hash, refresh_id, client_id, user_id, scopes, grant_id, expires_at, revoked_at, created_at`

func scanAccess(row interface{ Scan(...any) error }) (*crmguard.AccessToken, error) {
	var t crmguard.AccessToken
	var revoked sql.NullInt64
	var expires, created int64
	if err := row.Scan(&t.OrgID, &t.ID, &t.TokenHash, &t.RefreshID, &t.ClientID, &t.UserID, &t.Scopes,
		&t.GrantID, &expires, &revoked, &created); err != nil {
		return nil, mapErr(err)
	}
	t.ExpiresAt, t.RevokedAt, t.CreatedTime = fromMS(expires), fromNullMS(revoked), fromMS(created)
	return &t, nil
}

// CreateAccessToken inserts an access token.
func (s *Store) CreateAccessToken(ctx context.Context, t *crmguard.AccessToken) error {
	_, err := s.exec(ctx, `INSERT INTO access_tokens (`+accessCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		t.OrgID, t.ID, t.TokenHash, t.RefreshID, t.ClientID, t.UserID, t.Scopes, t.GrantID, ms(t.ExpiresAt),
		nullMS(t.RevokedAt), ms(t.CreatedTime))
	return err
}

// GetAccessToken finds an access token by hash, live or not.
func (s *Store) GetAccessToken(ctx context.Context, hash []byte) (*crmguard.AccessToken, error) {
	return scanAccess(s.r().QueryRowContext(ctx, `SELECT `+accessCols+` FROM access_tokens WHERE token_hash = ?`, hash))
}

// ListLiveAccessTokens lists a refresh token's live access tokens, oldest first.
func (s *Store) ListLiveAccessTokens(ctx context.Context, refreshID crmguard.ID, at time.Time) ([]*crmguard.AccessToken, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+accessCols+` FROM access_tokens
		WHERE refresh_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at, id`, refreshID, ms(at))
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanAccess)
}

// CountAccessTokensSince counts access tokens minted from a refresh token since t.
func (s *Store) CountAccessTokensSince(ctx context.Context, refreshID crmguard.ID, since time.Time) (int, error) {
	var n int
	err := s.r().QueryRowContext(ctx, `SELECT count(*) FROM access_tokens WHERE refresh_id = ? AND created_at >= ?`, refreshID, ms(since)).Scan(&n)
	return n, mapErr(err)
}

// RevokeAccessToken revokes one access token.
func (s *Store) RevokeAccessToken(ctx context.Context, id crmguard.ID, at time.Time) error {
	return s.execOne(ctx, `UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, ms(at), id)
}

// RevokeGrantTokens revokes every token minted from a grant: the refresh
// token of its exchange, and the access tokens of the exchange and of every
// refresh since (they carry the grant's ID too).
func (s *Store) RevokeGrantTokens(ctx context.Context, grantID crmguard.ID, at time.Time) (refresh, access int, err error) {
	if grantID == 0 {
		return 0, 0, nil
	}
	err = s.InTx(ctx, func(tx crmguard.Store) error {
		t := tx.(*Store)
		res, err := t.exec(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL`, ms(at), grantID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		refresh = int(n)
		res, err = t.exec(ctx, `UPDATE access_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL AND expires_at > ?`, ms(at), grantID, ms(at))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		access = int(n)
		return nil
	})
	return refresh, access, err
}

// RevokeUserTokens revokes every refresh and access token of a user. A mint
// reads the user inside its own write transaction; SQLite's single writer
// puts it wholly before or after this one. On PostgreSQL both would lock
// the user's row first (FOR UPDATE here, FOR SHARE in the mint), for the
// same order.
func (s *Store) RevokeUserTokens(ctx context.Context, org, user crmguard.ID, at time.Time) error {
	return s.InTx(ctx, func(tx crmguard.Store) error {
		t := tx.(*Store)
		if _, err := t.exec(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL`, ms(at), org, user); err != nil {
			return err
		}
		_, err := t.exec(ctx, `UPDATE access_tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL`, ms(at), org, user)
		return err
	})
}

// ListTokens lists live tokens of the org, newest first, at most limit of
// each kind: of one user, or of everyone when user is 0.
func (s *Store) ListTokens(ctx context.Context, org, user crmguard.ID, at time.Time, limit int) ([]*crmguard.RefreshToken, []*crmguard.AccessToken, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+refreshCols+` FROM refresh_tokens
		WHERE org_id = ? AND (CAST(? AS BIGINT) = 0 OR user_id = ?) AND revoked_at IS NULL ORDER BY id DESC LIMIT ?`, org, user, user, limit)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	refresh, err := collect(rows, scanRefresh)
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.r().QueryContext(ctx, `SELECT `+accessCols+` FROM access_tokens
		WHERE org_id = ? AND (CAST(? AS BIGINT) = 0 OR user_id = ?) AND revoked_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT ?`, org, user, user, ms(at), limit)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	access, err := collect(rows, scanAccess)
	return refresh, access, err
}

// GetRefreshTokenByID returns one refresh token of the org.
func (s *Store) GetRefreshTokenByID(ctx context.Context, org, id crmguard.ID) (*crmguard.RefreshToken, error) {
	return scanRefresh(s.r().QueryRowContext(ctx, `SELECT `+refreshCols+` FROM refresh_tokens WHERE org_id = ? AND id = ?`, org, id))
}

// GetAccessTokenByID returns one access token of the org.
func (s *Store) GetAccessTokenByID(ctx context.Context, org, id crmguard.ID) (*crmguard.AccessToken, error) {
	return scanAccess(s.r().QueryRowContext(ctx, `SELECT `+accessCols+` FROM access_tokens WHERE org_id = ? AND id = ?`, org, id))
}
