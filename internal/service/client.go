package service

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/url"
	"strings"

	"github.com/crmguard/crmguard"
)

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
	secret := s.newSecret()
	h := HashToken(secret)
	c := &crmguard.Client{ID: s.ids.New(), OrgID: a.OrgID, ClientID: s.newClientID(), SecretHash: h[:],
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

// SelfClient returns the org's Self Client.
func (s *Service) SelfClient(ctx context.Context, org crmguard.ID) (*crmguard.Client, error) {
	return s.selfClient(ctx, org)
}
