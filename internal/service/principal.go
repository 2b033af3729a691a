package service

import (
	"context"
	"errors"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

// ErrInvalidToken means the token is unknown, expired or revoked.
var ErrInvalidToken = crmguard.NewError(crmguard.CodeInvalidToken, "invalid oauth token", nil)

// Principal builds the principal of an access token from storage: the cold
// path of the request pipeline, whose result the caller caches.
func (s *Service) Principal(ctx context.Context, tokenHash [32]byte) (*crmguard.Principal, error) {
	t, u, err := s.TokenUser(ctx, tokenHash)
	if err != nil {
		return nil, err
	}
	prof, err := s.store.GetProfile(ctx, t.OrgID, u.ProfileID)
	if err != nil {
		return nil, err
	}
	org, err := s.store.GetOrg(ctx, t.OrgID)
	if err != nil {
		return nil, err
	}
	rules, err := s.store.ListIPRules(ctx, t.OrgID)
	if err != nil {
		return nil, err
	}
	// The active users, for the edition's limits: the length of the
	// cached ActiveUsers list, which changes patch, rather than a count
	// of the table on every cold principal.
	activeIDs, err := s.typeIDs(ctx, t.OrgID, "ActiveUsers")
	if err != nil {
		return nil, err
	}
	active := len(activeIDs)
	ipr := access.RestrictionFor(rules, u.ID, u.RoleID, u.ProfileID)
	lim := access.EditionLimits(org.Edition, active)
	return &crmguard.Principal{
		TokenID: t.ID, ClientID: t.ClientID, OrgID: t.OrgID, UserID: u.ID, UserName: u.FullName(),
		ProfileID: u.ProfileID, RoleID: u.RoleID, ExpiresAt: t.ExpiresAt,
		Email: u.Email, UserStatus: u.Status, ProfileName: prof.Name, Scopes: t.Scopes,
		UserActive: u.Active(), Permissions: prof.Permissions, ScopeMask: uint64(access.CompileScopes(t.Scopes)),
		IPRestricted: ipr.Restricted, AllowedIPs: ipr.Allowed,
		Credits: lim.Credits, Concurrency: lim.Concurrency,
	}, nil
}

// UserByEmail finds a user of the org by e-mail, any case.
func (s *Service) UserByEmail(ctx context.Context, org crmguard.ID, email string) (*crmguard.User, error) {
	u, err := s.store.GetUserByEmail(ctx, org, email)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "no user with e-mail "+email, crmguard.Details{"api_name": "email"})
	}
	return u, err
}

// User returns one user of the org.
func (s *Service) User(ctx context.Context, org, id crmguard.ID) (*crmguard.User, error) {
	return s.store.GetUser(ctx, org, id)
}

// Client finds a client by its public id.
func (s *Service) Client(ctx context.Context, clientID string) (*crmguard.Client, error) {
	c, err := s.store.GetClient(ctx, clientID)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, oauthErr(crmguard.OAuthInvalidClient, "unknown client_id "+clientID)
	}
	return c, err
}

// TokenUser returns a live access token and its user: two reads, for a
// caller that needs the user and the token's scopes but none of what the
// API's pipeline also derives (profile, IP rules, limits), such as Zoho
// Accounts' user info. An unknown, expired or revoked token is
// ErrInvalidToken.
func (s *Service) TokenUser(ctx context.Context, tokenHash [32]byte) (*crmguard.AccessToken, *crmguard.User, error) {
	t, err := s.store.GetAccessToken(ctx, tokenHash[:])
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	} else if err != nil {
		return nil, nil, err
	}
	if !t.Live(s.Now()) {
		return nil, nil, ErrInvalidToken
	}
	u, err := s.store.GetUser(ctx, t.OrgID, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	return t, u, nil
}
