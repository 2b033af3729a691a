package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmguard/crmguard"
)

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
		// Count, then mint: the cap holds because write transactions run
		// one at a time (SQLite's one writer; on PostgreSQL the store's
		// write lock, across instances).
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
		out = s.tokensFor(rt.Scopes, rt.UserID)
		return s.mintAccess(ctx, tx, a, rt.OrgID, rt.ClientID, rt.UserID, rt.Scopes, rt.ID, rt.GrantID, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
