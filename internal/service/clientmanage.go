package service

import (
	"context"
	"errors"

	"github.com/crmguard/crmguard"
)

// clientOf finds the org's client by client_id: a client of another org is
// as unknown as one that never existed.
func clientOf(ctx context.Context, tx crmguard.Store, org crmguard.ID, clientID string) (*crmguard.Client, error) {
	c, err := tx.GetClient(ctx, clientID)
	if errors.Is(err, crmguard.ErrNotFound) || (err == nil && c.OrgID != org) {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "no client with client_id "+clientID, crmguard.Details{"client_id": clientID})
	}
	return c, err
}

// DeleteClient removes an OAuth client and revokes every token it minted,
// as deleting a client in Zoho's API console ends its access. It needs
// Manage Security Control, the permission over who may reach the API.
func (s *Service) DeleteClient(ctx context.Context, a crmguard.Actor, clientID string) (*crmguard.Client, error) {
	var c *crmguard.Client
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageSecurity); err != nil {
			return err
		}
		var err error
		if c, err = clientOf(ctx, tx, a.OrgID, clientID); err != nil {
			return err
		}
		if err := tx.DeleteClient(ctx, a.OrgID, clientID, s.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "client.delete", "client", c.ID, clientAudit(c), nil)
	})
	return c, err
}

// RotateClientSecret gives a client a new secret and returns it; the old
// one stops working at once. Tokens already minted stay valid, as in Zoho:
// the secret authenticates the client at /oauth/v2/token, not its tokens.
// The secret is stored only as a hash and is in no audit event.
func (s *Service) RotateClientSecret(ctx context.Context, a crmguard.Actor, clientID string) (*crmguard.Client, string, error) {
	var c *crmguard.Client
	secret := s.newSecret()
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageSecurity); err != nil {
			return err
		}
		var err error
		if c, err = clientOf(ctx, tx, a.OrgID, clientID); err != nil {
			return err
		}
		h := HashToken(secret)
		if err := tx.UpdateClientSecret(ctx, a.OrgID, clientID, h[:]); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "client.rotate_secret", "client", c.ID, nil, clientAudit(c))
	})
	if err != nil {
		return nil, "", err
	}
	return c, secret, nil
}
