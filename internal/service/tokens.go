package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

// HashToken is the SHA-256 of a token, code or secret: the only form stored.
func HashToken(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// newToken makes a Zoho-shaped token: 1000.<32 hex>.<32 hex>.
func newToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	return "1000." + hex.EncodeToString(b[:16]) + "." + hex.EncodeToString(b[16:])
}

// newClientID makes a Zoho-shaped client id: 1000. and 30 upper-case letters and digits.
func newClientID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [30]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "1000." + string(b[:])
}

func newSecret() string {
	var b [21]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

func oauthErr(code, desc string) error { return &crmguard.OAuthError{Code: code, Description: desc} }

// Tokens is what a token request returns. RefreshToken is empty when none
// was minted.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds
	Scopes       string
	APIDomain    string
	UserID       crmguard.ID
}

func clientAudit(c *crmguard.Client) map[string]any {
	return map[string]any{"id": c.ID, "client_id": c.ClientID, "name": c.Name, "type": c.Type, "redirect_uris": c.RedirectURIs}
}

// CreateClient registers an OAuth client and returns it with its secret,
// which is not stored and cannot be shown again.
func (s *Service) CreateClient(ctx context.Context, a crmguard.Actor, name, typ string, redirectURIs []string) (*crmguard.Client, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, "", crmguard.NewError(crmguard.CodeMandatoryNotFound, "required field not found", crmguard.Details{"api_name": "name"})
	}
	if typ != crmguard.ClientSelf && typ != crmguard.ClientServer {
		return nil, "", crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": "type"})
	}
	for _, u := range redirectURIs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.Fragment != "" {
			return nil, "", crmguard.NewError(crmguard.CodeInvalidData, "invalid redirect URI "+u, crmguard.Details{"api_name": "redirect_uri"})
		}
	}
	if typ == crmguard.ClientServer && len(redirectURIs) == 0 {
		return nil, "", crmguard.NewError(crmguard.CodeMandatoryNotFound, "a server-based client needs a redirect URI", crmguard.Details{"api_name": "redirect_uri"})
	}
	var c *crmguard.Client
	var secret string
	err := s.write(ctx, func(tx crmguard.Store) error {
		var err error
		c, secret, err = s.createClient(ctx, tx, a, name, typ, redirectURIs)
		return err
	})
	return c, secret, err
}

func (s *Service) createClient(ctx context.Context, tx crmguard.Store, a crmguard.Actor, name, typ string, uris []string) (*crmguard.Client, string, error) {
	secret := newSecret()
	h := HashToken(secret)
	c := &crmguard.Client{ID: s.ids.New(), OrgID: a.OrgID, ClientID: newClientID(), SecretHash: h[:],
		Name: name, Type: typ, RedirectURIs: uris, CreatedBy: a.UserID, CreatedTime: s.Now()}
	if err := tx.CreateClient(ctx, c); err != nil {
		return nil, "", err
	}
	return c, secret, s.audit(ctx, tx, a, "client.create", "client", c.ID, nil, clientAudit(c))
}

// ListClients lists the org's OAuth clients.
func (s *Service) ListClients(ctx context.Context, org crmguard.ID) ([]*crmguard.Client, error) {
	return s.store.ListClients(ctx, org)
}

// checkClient finds a client and checks its secret in constant time.
func (s *Service) checkClient(ctx context.Context, clientID, secret string) (*crmguard.Client, error) {
	c, err := s.store.GetClient(ctx, clientID)
	if errors.Is(err, crmguard.ErrNotFound) || clientID == "" {
		return nil, oauthErr(crmguard.OAuthInvalidClient, "unknown client_id")
	} else if err != nil {
		return nil, err
	}
	h := HashToken(secret)
	if subtle.ConstantTimeCompare(h[:], c.SecretHash) != 1 {
		return nil, oauthErr(crmguard.OAuthInvalidClientSecret, "wrong client_secret")
	}
	return c, nil
}

// checkScopes validates a requested scope list and returns it normalised
// (comma-separated, as given).
func checkScopes(scopes string) (string, error) {
	var out []string
	for _, sc := range strings.FieldsFunc(scopes, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !access.KnownScope(sc) {
			return "", oauthErr(crmguard.OAuthInvalidScope, "unknown scope "+sc)
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return "", oauthErr(crmguard.OAuthInvalidScope, "no scope given")
	}
	return strings.Join(out, ","), nil
}

// activeUser loads a user who may receive tokens. Every mint calls it with
// its write transaction, so that it sees a deactivation, deletion or
// revocation of all the user's tokens that committed before, and one that
// commits after finds the minted token and revokes it: SQLite runs write
// transactions one at a time (BEGIN IMMEDIATE on one connection). On
// PostgreSQL this read would take the row FOR SHARE, for the same order.
func (s *Service) activeUser(ctx context.Context, tx crmguard.Store, org, id crmguard.ID) (*crmguard.User, error) {
	u, err := tx.GetUser(ctx, org, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, oauthErr(crmguard.OAuthAccessDenied, "no such user")
	} else if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, oauthErr(crmguard.OAuthAccessDenied, "user is not active")
	}
	return u, nil
}

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

// mint creates an access token (and a refresh token if asked) for a user,
// enforcing the per-user refresh-token cap (oldest evicted). grant is the
// code they come from, or 0. The caller has checked the user inside tx.
func (s *Service) mint(ctx context.Context, tx crmguard.Store, a crmguard.Actor, c *crmguard.Client, user crmguard.ID, scopes string, withRefresh bool, grant crmguard.ID) (*Tokens, error) {
	now := s.Now()
	out := &Tokens{Scopes: scopes, APIDomain: s.cfg.PublicURL, ExpiresIn: int(s.cfg.AccessTokenTTL / time.Second), UserID: user}
	var refreshID crmguard.ID
	if withRefresh {
		live, err := tx.ListLiveRefreshTokens(ctx, c.OrgID, c.ClientID, user)
		if err != nil {
			return nil, err
		}
		for i := 0; i <= len(live)-s.cfg.MaxRefreshPerUser; i++ {
			if err := tx.RevokeRefreshToken(ctx, live[i].ID, now); err != nil {
				return nil, err
			}
			if err := s.audit(ctx, tx, a, "token.evict", "refresh_token", live[i].ID, tokenAudit(live[i].ClientID, live[i].UserID, live[i].Scopes), nil); err != nil {
				return nil, err
			}
		}
		if out.RefreshToken, err = s.newSignedToken(); err != nil {
			return nil, err
		}
		h := HashToken(out.RefreshToken)
		rt := &crmguard.RefreshToken{ID: s.ids.New(), OrgID: c.OrgID, TokenHash: h[:], ClientID: c.ClientID,
			UserID: user, Scopes: scopes, GrantID: grant, CreatedTime: now}
		if err := tx.CreateRefreshToken(ctx, rt); err != nil {
			return nil, err
		}
		if err := s.audit(ctx, tx, a, "token.issue", "refresh_token", rt.ID, nil, tokenAudit(c.ClientID, user, scopes)); err != nil {
			return nil, err
		}
		refreshID = rt.ID
	}
	if err := s.mintAccess(ctx, tx, a, c.OrgID, c.ClientID, user, scopes, refreshID, grant, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) mintAccess(ctx context.Context, tx crmguard.Store, a crmguard.Actor, org crmguard.ID, clientID string, user crmguard.ID, scopes string, refreshID, grant crmguard.ID, out *Tokens) error {
	now := s.Now()
	var err error
	if out.AccessToken, err = s.newSignedToken(); err != nil {
		return err
	}
	h := HashToken(out.AccessToken)
	at := &crmguard.AccessToken{ID: s.ids.New(), OrgID: org, TokenHash: h[:], RefreshID: refreshID, ClientID: clientID,
		UserID: user, Scopes: scopes, GrantID: grant, ExpiresAt: now.Add(s.cfg.AccessTokenTTL), CreatedTime: now}
	if err := tx.CreateAccessToken(ctx, at); err != nil {
		return err
	}
	return s.audit(ctx, tx, a, "token.issue", "access_token", at.ID, nil, tokenAudit(clientID, user, scopes))
}

func tokenAudit(clientID string, user crmguard.ID, scopes string) map[string]any {
	return map[string]any{"client_id": clientID, "user_id": user, "scopes": scopes}
}

// Refresh mints a new access token from a refresh token. At most
// AccessPerWindow per window (else access_denied); at most
// MaxAccessPerRefresh live at once, the oldest invalidated first.
//
// The refresh token and its user are read inside the write transaction that
// mints: a revocation, deactivation or deletion either committed before
// (and the refresh fails) or commits after (and revokes what was minted).
// Checked outside, a refresh racing a revocation could mint an access token
// that outlives it by an hour.
func (s *Service) Refresh(ctx context.Context, a crmguard.Actor, clientID, secret, refreshToken string) (*Tokens, error) {
	c, err := s.checkClient(ctx, clientID, secret)
	if err != nil {
		return nil, err
	}
	if ok, err := s.TokenSigned(ctx, refreshToken); err != nil {
		return nil, err
	} else if !ok {
		return nil, oauthErr(crmguard.OAuthInvalidCode, "unknown refresh token")
	}
	h := HashToken(refreshToken)
	now := s.Now()
	var out *Tokens
	err = s.write(ctx, func(tx crmguard.Store) error {
		rt, err := tx.UseRefreshToken(ctx, h[:], c.ClientID, now)
		if errors.Is(err, crmguard.ErrNotFound) {
			return oauthErr(crmguard.OAuthInvalidCode, "refresh token unknown, revoked or of another client")
		} else if err != nil {
			return err
		}
		if _, err := s.activeUser(ctx, tx, rt.OrgID, rt.UserID); err != nil {
			return err
		}
		a.OrgID = rt.OrgID
		if a.UserID == 0 {
			a.UserID = rt.UserID
		}
		n, err := tx.CountAccessTokensSince(ctx, rt.ID, now.Add(-s.cfg.LimitWindow))
		if err != nil {
			return err
		}
		if n >= s.cfg.AccessPerWindow {
			return oauthErr(crmguard.OAuthAccessDenied, fmt.Sprintf("more than %d access tokens in %s for this refresh token", s.cfg.AccessPerWindow, s.cfg.LimitWindow))
		}
		live, err := tx.ListLiveAccessTokens(ctx, rt.ID, now)
		if err != nil {
			return err
		}
		for i := 0; i <= len(live)-s.cfg.MaxAccessPerRefresh; i++ {
			if err := tx.RevokeAccessToken(ctx, live[i].ID, now); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, a, "token.evict", "access_token", live[i].ID, tokenAudit(rt.ClientID, rt.UserID, rt.Scopes), nil); err != nil {
				return err
			}
		}
		out = &Tokens{Scopes: rt.Scopes, APIDomain: s.cfg.PublicURL, ExpiresIn: int(s.cfg.AccessTokenTTL / time.Second), UserID: rt.UserID}
		return s.mintAccess(ctx, tx, a, rt.OrgID, rt.ClientID, rt.UserID, rt.Scopes, rt.ID, rt.GrantID, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ClientCredentials mints an access token for a Self Client acting as the
// user who created it. soid must be ZohoCRM.<org id>.
func (s *Service) ClientCredentials(ctx context.Context, a crmguard.Actor, clientID, secret, scopes, soid string) (*Tokens, error) {
	c, err := s.checkClient(ctx, clientID, secret)
	if err != nil {
		return nil, err
	}
	if c.Type != crmguard.ClientSelf {
		return nil, oauthErr(crmguard.OAuthUnsupportedGrantType, "client_credentials is for Self Clients")
	}
	if soid == "" {
		return nil, oauthErr(crmguard.OAuthMissingOrgInfo, "soid is required")
	}
	orgPart, ok := strings.CutPrefix(soid, "ZohoCRM.")
	if id, valid := crmguard.ParseID(orgPart); !ok || !valid || id != c.OrgID {
		return nil, oauthErr(crmguard.OAuthMissingOrgInfo, "soid does not name this client's org")
	}
	scopes, err = checkScopes(scopes)
	if err != nil {
		return nil, err
	}
	if _, err := s.macs(ctx); err != nil { // load the key outside the transaction
		return nil, err
	}
	var out *Tokens
	err = s.write(ctx, func(tx crmguard.Store) error {
		user := c.CreatedBy
		if user == 0 {
			org, err := tx.GetOrg(ctx, c.OrgID)
			if err != nil {
				return err
			}
			user = org.PrimaryUserID
		}
		if _, err := s.activeUser(ctx, tx, c.OrgID, user); err != nil {
			return err
		}
		a.OrgID = c.OrgID
		if a.UserID == 0 {
			a.UserID = user
		}
		out = &Tokens{Scopes: scopes, APIDomain: s.cfg.PublicURL, ExpiresIn: int(s.cfg.AccessTokenTTL / time.Second), UserID: user}
		return s.mintAccess(ctx, tx, a, c.OrgID, c.ClientID, user, scopes, 0, 0, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// IssueTokens mints tokens for a user directly, as an administrator does
// from the CLI; they belong to the org's Self Client.
func (s *Service) IssueTokens(ctx context.Context, a crmguard.Actor, user crmguard.ID, scopes string, withRefresh bool) (*Tokens, error) {
	scopes, err := checkScopes(scopes)
	if err != nil {
		return nil, err
	}
	c, err := s.selfClient(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	if _, err := s.macs(ctx); err != nil { // load the key outside the transaction
		return nil, err
	}
	var out *Tokens
	err = s.write(ctx, func(tx crmguard.Store) error {
		if _, err := s.activeUser(ctx, tx, a.OrgID, user); err != nil {
			return err
		}
		var err error
		out, err = s.mint(ctx, tx, a, c, user, scopes, withRefresh, 0)
		return err
	})
	return out, err
}

// selfClient returns the org's first Self Client.
func (s *Service) selfClient(ctx context.Context, org crmguard.ID) (*crmguard.Client, error) {
	cs, err := s.store.ListClients(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Type == crmguard.ClientSelf {
			return c, nil
		}
	}
	return nil, crmguard.NewError(crmguard.CodeInvalidData, "the org has no Self Client; create one with 'crmguard client create'", nil)
}

// Revoke revokes a refresh token (and its access tokens) or an access token.
// It reports whether the token was live.
func (s *Service) Revoke(ctx context.Context, a crmguard.Actor, token string) (bool, error) {
	if ok, err := s.TokenSigned(ctx, token); err != nil || !ok {
		return false, err // a forged token was never live: no lookup
	}
	h := HashToken(token)
	now := s.Now()
	revoked := false
	err := s.write(ctx, func(tx crmguard.Store) error {
		if rt, err := tx.GetRefreshToken(ctx, h[:]); err == nil {
			if rt.RevokedAt != nil {
				return nil
			}
			a.OrgID = rt.OrgID
			if err := tx.RevokeRefreshToken(ctx, rt.ID, now); err != nil {
				return err
			}
			revoked = true
			return s.audit(ctx, tx, a, "token.revoke", "refresh_token", rt.ID, tokenAudit(rt.ClientID, rt.UserID, rt.Scopes), nil)
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		at, err := tx.GetAccessToken(ctx, h[:])
		if errors.Is(err, crmguard.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if !at.Live(now) {
			return nil
		}
		a.OrgID = at.OrgID
		if err := tx.RevokeAccessToken(ctx, at.ID, now); err != nil {
			return err
		}
		revoked = true
		return s.audit(ctx, tx, a, "token.revoke", "access_token", at.ID, tokenAudit(at.ClientID, at.UserID, at.Scopes), nil)
	})
	return revoked, err
}

// ListTokens lists the live tokens of a user, or of the org when user is 0,
// newest first (at most 200 of each kind). Only hashes are stored, so a
// token is known by its ID, client, user, scopes and times.
func (s *Service) ListTokens(ctx context.Context, org, user crmguard.ID) ([]*crmguard.RefreshToken, []*crmguard.AccessToken, error) {
	return s.store.ListTokens(ctx, org, user, s.Now(), 200)
}

// RevokeTokenID revokes a refresh token (and its access tokens) or an
// access token by ID; the caller needs Manage_Security, or Manage_Users
// for another user's token.
func (s *Service) RevokeTokenID(ctx context.Context, a crmguard.Actor, id crmguard.ID) error {
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageSecurity); err != nil {
			if err2 := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err2 != nil {
				return err
			}
		}
		now := s.Now()
		if rt, err := tx.GetRefreshTokenByID(ctx, a.OrgID, id); err == nil {
			if rt.RevokedAt != nil {
				return errAlreadyRevoked(id)
			}
			if err := tx.RevokeRefreshToken(ctx, rt.ID, now); err != nil {
				return err
			}
			return s.audit(ctx, tx, a, "token.revoke", "refresh_token", rt.ID, nil, tokenAudit(rt.ClientID, rt.UserID, rt.Scopes))
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		at, err := tx.GetAccessTokenByID(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) {
			return crmguard.NewError(crmguard.CodeInvalidData, "no token has this ID", crmguard.Details{"id": id.String()})
		} else if err != nil {
			return err
		}
		if !at.Live(now) {
			return errAlreadyRevoked(id)
		}
		if err := tx.RevokeAccessToken(ctx, at.ID, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "token.revoke", "access_token", at.ID, nil, tokenAudit(at.ClientID, at.UserID, at.Scopes))
	})
}

// errAlreadyRevoked answers a second revocation of the same token (a form
// sent twice): nothing to do, said plainly rather than as a failure.
func errAlreadyRevoked(id crmguard.ID) error {
	return crmguard.NewError(crmguard.CodeInvalidRequest, "This token is already revoked or expired.", crmguard.Details{"id": id.String()})
}

// SelfClient returns the org's Self Client.
func (s *Service) SelfClient(ctx context.Context, org crmguard.ID) (*crmguard.Client, error) {
	return s.selfClient(ctx, org)
}
