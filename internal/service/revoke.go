package service

import (
	"context"
	"errors"

	"github.com/crmguard/crmguard"
)

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
