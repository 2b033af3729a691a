package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/seedfile"
)

// Seeded tokens are derived, not written in the file. Every token carries
// a check value under the installation's key (tokenkey.go), which lets the
// pipeline drop a forged token without a database read; a literal token
// from a file could not carry it without the key, and accepting it anyway
// would need a second, stored list of exceptions consulted on that path.
// So a seed names a token by a seed string, and its value is
//
//	body  = 1000.<32 hex>.<24 hex> from HMAC-SHA256(key, "crmguard seed token", kind, seed)
//	token = body + the usual check value of body
//
// an ordinary signed token: the pipeline treats it as any other, forged
// tokens are refused as before, and the same seed on the same installation
// (the same database, a snapshot of it, or a deterministic key) gives the
// same value on every apply; with a deterministic token key
// (Config.TokenKey), on every run. Keyed, because a seed file is often committed
// to a repository: knowing the file must not be knowing the token.

// SeedTokenValue is the token a seed file's entry (kind, seed) stands for
// on this installation.
func (s *Service) SeedTokenValue(ctx context.Context, kind, seed string) (string, error) {
	if _, err := s.macs(ctx); err != nil {
		return "", err
	}
	key, err := s.seedTokenKey(ctx)
	if err != nil {
		return "", err
	}
	return s.seedToken(key, kind, seed)
}

// seedTokenKey is the key seeded tokens derive from: the key of the check
// value, so a deterministic server (Config.TokenKey) gives the same tokens
// run after run, and any other the same tokens for the life of its store.
func (s *Service) seedTokenKey(ctx context.Context) ([]byte, error) {
	if s.cfg.TokenKey != nil {
		return s.cfg.TokenKey, nil
	}
	return s.store.TokenKey(ctx)
}

func (s *Service) seedToken(key []byte, kind, seed string) (string, error) {
	p := s.tokens.pool.Load()
	if p == nil {
		return "", errors.New("service: token key not loaded before deriving a seeded token")
	}
	m := hmac.New(sha256.New, key)
	// The prefix keeps these inputs apart from the check value's, which
	// are always a token body starting "1000.".
	m.Write([]byte("crmguard seed token\x00" + kind + "\x00" + seed))
	sum := m.Sum(nil)
	var b [tokenLen]byte
	n := copy(b[:], "1000.")
	hex.Encode(b[n:n+32], sum[:16])
	n += 32
	b[n] = '.'
	n++
	hex.Encode(b[n:bodyLen], sum[16:16+(bodyLen-n)/2])
	tokenMAC(p, string(b[:bodyLen]), b[bodyLen:])
	return string(b[:]), nil
}

// applyClients registers each client with its fixed id and secret; only
// the secret's hash is kept. A client that exists must be of this org and
// have this secret: a seed file cannot take over another's client, nor
// quietly change a secret someone relies on.
func (ap *seedApply) applyClients(ctx context.Context) error {
	for _, in := range ap.doc.Clients {
		sum := HashToken(in.Secret)
		c, err := ap.tx.GetClient(ctx, in.ClientID)
		if err == nil {
			if c.OrgID != ap.org.ID || subtle.ConstantTimeCompare(c.SecretHash, sum[:]) != 1 {
				return seedfile.Errorf(in.Pos, "client %s exists already with another secret", in.ClientID)
			}
			ap.clients[c.ClientID] = c
			ap.res.Clients.Updated++
			continue
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		typ, name := in.Type, strings.TrimSpace(in.Name)
		if typ == "" {
			typ = crmguard.ClientSelf
			if len(in.RedirectURIs) > 0 {
				typ = crmguard.ClientServer
			}
		}
		if name == "" {
			name = in.ClientID
		}
		if typ == crmguard.ClientServer && len(in.RedirectURIs) == 0 {
			return seedfile.Errorf(in.Pos, "client %s: a server_based client needs a redirect URI", in.ClientID)
		}
		for _, u := range in.RedirectURIs {
			p, err := url.Parse(u)
			if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.Fragment != "" {
				return seedfile.Errorf(in.Pos, "client %s: invalid redirect URI %q", in.ClientID, u)
			}
		}
		if err := seedText(in.Pos, "a client's name", name, 100, true); err != nil {
			return err
		}
		c = &crmguard.Client{ID: ap.s.ids.New(), OrgID: ap.org.ID, ClientID: in.ClientID, SecretHash: sum[:], Name: name,
			Type: typ, RedirectURIs: in.RedirectURIs, CreatedBy: ap.a.UserID, CreatedTime: ap.now}
		if err := ap.tx.CreateClient(ctx, c); err != nil {
			return seedConflict(err, in.Pos, "client "+in.ClientID+" exists already")
		}
		ap.clients[c.ClientID] = c
		ap.res.Clients.Created++
	}
	return nil
}

// applyTokens stores each seeded token's hash. A token that is there from
// an earlier apply is kept if it still holds as the file says; one that
// was revoked or has expired cannot come back under the same seed.
func (ap *seedApply) applyTokens(ctx context.Context) error {
	self := ap.self
	if self == nil { // an org without one: the file's first
		for _, in := range ap.doc.Clients {
			if c := ap.clients[in.ClientID]; c.Type == crmguard.ClientSelf {
				self = c
				break
			}
		}
	}
	for _, in := range ap.doc.Tokens {
		u, err := ap.user(ctx, in.User.Name)
		if err != nil {
			return err
		}
		if !u.Active() {
			return seedfile.Errorf(in.User.Pos, "token %s: user %s is not active, so cannot hold tokens", in.Seed, u.Email)
		}
		c := self
		if in.Client != nil {
			c = ap.clients[in.Client.Name]
		}
		if c == nil {
			return seedfile.Errorf(in.Pos, "token %s: the org has no Self Client; name a client", in.Seed)
		}
		scopes, err := checkScopes(strings.Join(in.Scopes, ","))
		if err != nil {
			return seedfile.Errorf(in.Pos, "token %s: %v", in.Seed, err)
		}
		value, err := ap.s.seedToken(ap.key, in.Kind, in.Seed)
		if err != nil {
			return err
		}
		out := SeedToken{Seed: in.Seed, Kind: in.Kind, Token: value, UserID: u.ID, ClientID: c.ClientID, Scopes: scopes}
		if existed, err := ap.existingToken(ctx, in, &out); err != nil {
			return err
		} else if !existed {
			if err := ap.createToken(ctx, in, &out); err != nil {
				return err
			}
		}
		ap.res.Tokens = append(ap.res.Tokens, out)
	}
	return nil
}

// existingToken finds a token of an earlier apply and checks it still is
// what the file says.
func (ap *seedApply) existingToken(ctx context.Context, in seedfile.Token, out *SeedToken) (bool, error) {
	h := HashToken(out.Token)
	var user crmguard.ID
	var client, scopes string
	var live bool
	switch in.Kind {
	case seedfile.TokenRefresh:
		rt, err := ap.tx.GetRefreshToken(ctx, h[:])
		if errors.Is(err, crmguard.ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		user, client, scopes, live = rt.UserID, rt.ClientID, rt.Scopes, rt.RevokedAt == nil
	default:
		at, err := ap.tx.GetAccessToken(ctx, h[:])
		if errors.Is(err, crmguard.ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		user, client, scopes, live = at.UserID, at.ClientID, at.Scopes, at.Live(ap.now)
		exp := at.ExpiresAt
		out.ExpiresAt = &exp
	}
	if !live {
		return false, seedfile.Errorf(in.Pos, "token %s was revoked or has expired; it cannot be seeded again under the same seed (choose another seed, or reset)", in.Seed)
	}
	if user != out.UserID || client != out.ClientID || scopes != out.Scopes {
		return false, seedfile.Errorf(in.Pos, "token %s exists already for another user, client or scopes; choose another seed", in.Seed)
	}
	out.Existed = true
	return true, nil
}

func (ap *seedApply) createToken(ctx context.Context, in seedfile.Token, out *SeedToken) error {
	h := HashToken(out.Token)
	if in.Kind == seedfile.TokenRefresh {
		return ap.tx.CreateRefreshToken(ctx, &crmguard.RefreshToken{ID: ap.s.ids.New(), OrgID: ap.org.ID, TokenHash: h[:],
			ClientID: out.ClientID, UserID: out.UserID, Scopes: out.Scopes, CreatedTime: ap.now})
	}
	ttl := in.ExpiresIn
	if ttl == 0 {
		ttl = ap.s.cfg.AccessTokenTTL
	}
	exp := ap.now.Add(ttl).Truncate(time.Second)
	out.ExpiresAt = &exp
	return ap.tx.CreateAccessToken(ctx, &crmguard.AccessToken{ID: ap.s.ids.New(), OrgID: ap.org.ID, TokenHash: h[:],
		ClientID: out.ClientID, UserID: out.UserID, Scopes: out.Scopes, ExpiresAt: exp, CreatedTime: ap.now})
}
