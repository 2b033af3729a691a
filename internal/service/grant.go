package service

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/crmguard/crmguard"
)

// GrantRequest asks for an authorization code.
type GrantRequest struct {
	Client              *crmguard.Client
	UserID              crmguard.ID
	Scopes              string
	RedirectURI         string
	CodeChallenge       string
	CodeChallengeMethod string // "S256" or "plain"
	Offline             bool
	TTL                 time.Duration // 0: the default for the client type
}

// CreateGrant makes a single-use grant code: a Self Client code (from the
// CLI or console) or the code of the authorization-code flow. At most
// GrantsPerWindow codes per client per window, else access_denied.
func (s *Service) CreateGrant(ctx context.Context, a crmguard.Actor, req GrantRequest) (string, error) {
	scopes, err := checkScopes(req.Scopes)
	if err != nil {
		return "", err
	}
	switch req.CodeChallengeMethod {
	case "", "plain", "S256":
	default:
		return "", oauthErr(crmguard.OAuthInvalidRequest, "code_challenge_method must be S256 or plain")
	}
	if req.CodeChallenge != "" && !pkceValue(req.CodeChallenge) {
		return "", oauthErr(crmguard.OAuthInvalidRequest, "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
	}
	if req.CodeChallenge != "" && req.CodeChallengeMethod == "" {
		req.CodeChallengeMethod = "plain"
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = s.cfg.AuthCodeTTL
		if req.Client.Type == crmguard.ClientSelf && req.RedirectURI == "" {
			ttl = s.cfg.SelfClientGrantTTL
		}
	}
	if _, err := s.macs(ctx); err != nil {
		return "", err
	}
	now := s.Now()
	code, err := s.newSignedToken()
	if err != nil {
		return "", err
	}
	h := HashToken(code)
	g := &crmguard.Grant{ID: s.ids.New(), OrgID: req.Client.OrgID, CodeHash: h[:], ClientID: req.Client.ClientID,
		UserID: req.UserID, Scopes: scopes, RedirectURI: req.RedirectURI, CodeChallenge: req.CodeChallenge,
		CodeChallengeMethod: req.CodeChallengeMethod, Offline: req.Offline, ExpiresAt: now.Add(ttl), CreatedTime: now}
	err = s.write(ctx, func(tx crmguard.Store) error {
		if _, err := s.activeUser(ctx, tx, req.Client.OrgID, req.UserID); err != nil {
			return err
		}
		// Count, then insert: the per-client cap holds because write
		// transactions run one at a time (SQLite's one writer; on
		// PostgreSQL the store's write lock, across instances).
		n, err := tx.CountGrantsSince(ctx, req.Client.ClientID, now.Add(-s.cfg.LimitWindow))
		if err != nil {
			return err
		}
		if n >= s.cfg.GrantsPerWindow {
			return oauthErr(crmguard.OAuthAccessDenied, fmt.Sprintf("more than %d grant codes in %s", s.cfg.GrantsPerWindow, s.cfg.LimitWindow))
		}
		if err := tx.CreateGrant(ctx, g); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "grant.create", "grant", g.ID, nil, map[string]any{
			"client_id": g.ClientID, "user_id": g.UserID, "scopes": g.Scopes, "expires_at": g.ExpiresAt})
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// ExchangeRequest is a grant_type=authorization_code token request.
type ExchangeRequest struct {
	ClientID, ClientSecret, Code, RedirectURI, CodeVerifier string
}

// ExchangeCode trades a grant code for tokens. A code is good once; a used,
// expired or unknown code is invalid_code. A code presented again by its
// own client also revokes every token its first exchange minted, as RFC 6749
// §4.1.2 advises: a second exchange means one of the two was not the
// client's.
func (s *Service) ExchangeCode(ctx context.Context, a crmguard.Actor, req ExchangeRequest) (*Tokens, error) {
	c, err := s.checkClient(ctx, req.ClientID, req.ClientSecret)
	if err != nil {
		return nil, err
	}
	if req.CodeVerifier != "" && !pkceValue(req.CodeVerifier) {
		// RFC 7636 §4.1: 43 to 128 unreserved characters. Checked before
		// the code is looked at, so a malformed request does not spend it.
		return nil, oauthErr(crmguard.OAuthInvalidRequest, "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
	}
	if ok, err := s.TokenSigned(ctx, req.Code); err != nil {
		return nil, err
	} else if !ok {
		return nil, oauthErr(crmguard.OAuthInvalidCode, "unknown or used code")
	}
	now := s.Now()
	h := HashToken(req.Code)
	var out *Tokens
	replayed := false
	err = s.write(ctx, func(tx crmguard.Store) error {
		g, err := tx.UseGrant(ctx, h[:], now)
		if errors.Is(err, crmguard.ErrNotFound) {
			g, err := tx.GetGrant(ctx, h[:])
			if errors.Is(err, crmguard.ErrNotFound) || (err == nil && g.ClientID != c.ClientID) {
				return oauthErr(crmguard.OAuthInvalidCode, "unknown or used code")
			} else if err != nil {
				return err
			}
			// The revocation commits although the request answers an error.
			replayed = true
			return s.revokeReplayed(ctx, tx, a, g, now)
		} else if err != nil {
			return err
		}
		if g.ClientID != c.ClientID || !now.Before(g.ExpiresAt) {
			return oauthErr(crmguard.OAuthInvalidCode, "code expired or of another client")
		}
		if g.RedirectURI != "" && req.RedirectURI != g.RedirectURI {
			return oauthErr(crmguard.OAuthInvalidRedirectURI, "redirect_uri differs from the authorization request")
		}
		if g.CodeChallenge != "" && !verifyPKCE(g.CodeChallenge, g.CodeChallengeMethod, req.CodeVerifier) {
			return oauthErr(crmguard.OAuthInvalidCode, "code_verifier does not match")
		}
		if _, err := s.activeUser(ctx, tx, g.OrgID, g.UserID); err != nil {
			return err
		}
		a.OrgID = g.OrgID
		if a.UserID == 0 {
			a.UserID = g.UserID
		}
		// A Self Client code always yields a refresh token, as Zoho's does;
		// the redirect flow only with access_type=offline.
		withRefresh := g.Offline || g.RedirectURI == ""
		out, err = s.mint(ctx, tx, a, c, g.UserID, g.Scopes, withRefresh, g.ID)
		return err
	})
	if err == nil && replayed {
		return nil, oauthErr(crmguard.OAuthInvalidCode, "code used before: the tokens of its first exchange are revoked")
	}
	return out, err
}

// revokeReplayed revokes the tokens minted from a grant whose code came
// back, and audits it with the reason; the code itself is never recorded.
func (s *Service) revokeReplayed(ctx context.Context, tx crmguard.Store, a crmguard.Actor, g *crmguard.Grant, now time.Time) error {
	refresh, access, err := tx.RevokeGrantTokens(ctx, g.ID, now)
	if err != nil {
		return err
	}
	a.OrgID = g.OrgID
	return s.audit(ctx, tx, a, "token.revoke", "grant", g.ID, nil, map[string]any{
		"reason": "authorization code replayed", "client_id": g.ClientID, "user_id": g.UserID,
		"refresh_tokens": refresh, "access_tokens": access})
}

// pkceValue reports whether v is a valid code_verifier or code_challenge:
// 43 to 128 unreserved characters (RFC 7636 §4.1, §4.2).
func pkceValue(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

func verifyPKCE(challenge, method, verifier string) bool {
	if verifier == "" {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
