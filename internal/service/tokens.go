package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

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
// commits after finds the minted token and revokes it: write transactions
// run one at a time (on SQLite, BEGIN IMMEDIATE on one connection; on
// PostgreSQL, the store's write lock, which every instance takes).
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

// mint creates an access token (and a refresh token if asked) for a user,
// enforcing the per-user refresh-token cap (oldest evicted). grant is the
// code they come from, or 0. The caller has checked the user inside tx.
func (s *Service) mint(ctx context.Context, tx crmguard.Store, a crmguard.Actor, c *crmguard.Client, user crmguard.ID, scopes string, withRefresh bool, grant crmguard.ID) (*Tokens, error) {
	now := s.Now()
	out := s.tokensFor(scopes, user)
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

// tokensFor is the answer to a token request, before its tokens are minted.
func (s *Service) tokensFor(scopes string, user crmguard.ID) *Tokens {
	return &Tokens{Scopes: scopes, APIDomain: s.cfg.PublicURL, ExpiresIn: int(s.cfg.AccessTokenTTL / time.Second), UserID: user}
}

func tokenAudit(clientID string, user crmguard.ID, scopes string) map[string]any {
	return map[string]any{"client_id": clientID, "user_id": user, "scopes": scopes}
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
		out = s.tokensFor(scopes, user)
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

// ListTokens lists the live tokens of a user, or of the org when user is 0,
// newest first (at most 200 of each kind). Only hashes are stored, so a
// token is known by its ID, client, user, scopes and times.
func (s *Service) ListTokens(ctx context.Context, org, user crmguard.ID) ([]*crmguard.RefreshToken, []*crmguard.AccessToken, error) {
	return s.store.ListTokens(ctx, org, user, s.Now(), 200)
}
