package service_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// tokenReads wraps the real store and counts what a forged token must not
// cause: a token or code lookup, or a write transaction.
type tokenReads struct {
	crmguard.Store
	n *atomic.Int64
}

func (s tokenReads) InTx(ctx context.Context, fn func(tx crmguard.Store) error) error {
	s.n.Add(1)
	return s.Store.InTx(ctx, func(tx crmguard.Store) error { return fn(tokenReads{tx, s.n}) })
}

func (s tokenReads) GetRefreshToken(ctx context.Context, h []byte) (*crmguard.RefreshToken, error) {
	s.n.Add(1)
	return s.Store.GetRefreshToken(ctx, h)
}

func (s tokenReads) UseRefreshToken(ctx context.Context, h []byte, c string, at time.Time) (*crmguard.RefreshToken, error) {
	s.n.Add(1)
	return s.Store.UseRefreshToken(ctx, h, c, at)
}

func (s tokenReads) GetAccessToken(ctx context.Context, h []byte) (*crmguard.AccessToken, error) {
	s.n.Add(1)
	return s.Store.GetAccessToken(ctx, h)
}

func (s tokenReads) UseGrant(ctx context.Context, h []byte, at time.Time) (*crmguard.Grant, error) {
	s.n.Add(1)
	return s.Store.UseGrant(ctx, h, at)
}

func (s tokenReads) GetGrant(ctx context.Context, h []byte) (*crmguard.Grant, error) {
	s.n.Add(1)
	return s.Store.GetGrant(ctx, h)
}

// TestForgedRefreshTokensAndCodesCostNoLookup: a refresh token or code
// without a valid check value gets invalid_code, as an unknown one always
// did, without looking it up; genuine ones still work.
func TestForgedRefreshTokensAndCodesCostNoLookup(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n atomic.Int64
	svc := service.New(tokenReads{st, &n}, service.Config{PasswordCost: 4}, nil)
	boot, err := svc.EnsureOrg(ctx, service.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	admin := crmguard.Actor{OrgID: boot.Org.ID, UserID: boot.Admin.ID, Source: crmguard.SourceCLI}
	id, secret := boot.SelfClient.ClientID, boot.ClientSecret
	tk, err := svc.IssueTokens(ctx, admin, boot.Admin.ID, "ZohoCRM.org.READ", true)
	if err != nil {
		t.Fatal(err)
	}
	code, err := svc.CreateGrant(ctx, admin, service.GrantRequest{Client: boot.SelfClient, UserID: boot.Admin.ID, Scopes: "ZohoCRM.org.READ"})
	if err != nil {
		t.Fatal(err)
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	random := "1000." + hex.EncodeToString(b[:16]) + "." + hex.EncodeToString(b[16:])
	for _, forged := range []string{random, tk.RefreshToken[:len(tk.RefreshToken)-1] + "x", flipLast(tk.RefreshToken), flipLast(code), "1000.nope", ""} {
		n.Store(0)
		if _, err := svc.Refresh(ctx, crmguard.Actor{}, id, secret, forged); oauthCode(err) != crmguard.OAuthInvalidCode {
			t.Errorf("refresh with %q: %v, want invalid_code", forged, err)
		}
		if _, err := svc.ExchangeCode(ctx, crmguard.Actor{}, service.ExchangeRequest{ClientID: id, ClientSecret: secret, Code: forged}); oauthCode(err) != crmguard.OAuthInvalidCode {
			t.Errorf("exchange of %q: %v, want invalid_code", forged, err)
		}
		if ok, err := svc.Revoke(ctx, crmguard.Actor{}, forged); ok || err != nil {
			t.Errorf("revoke of %q: %v %v, want false", forged, ok, err)
		}
		if got := n.Load(); got != 0 {
			t.Errorf("forged %q: %d token lookups or transactions, want 0", forged, got)
		}
	}
	n.Store(0)
	if _, err := svc.Refresh(ctx, crmguard.Actor{}, id, secret, tk.RefreshToken); err != nil {
		t.Errorf("genuine refresh token: %v", err)
	}
	if _, err := svc.ExchangeCode(ctx, crmguard.Actor{}, service.ExchangeRequest{ClientID: id, ClientSecret: secret, Code: code}); err != nil {
		t.Errorf("genuine code: %v", err)
	}
	if n.Load() == 0 {
		t.Error("genuine tokens were not looked up: the counter counts nothing")
	}
}

func flipLast(tok string) string {
	c := byte('0')
	if tok[len(tok)-1] == '0' {
		c = '1'
	}
	return tok[:len(tok)-1] + string(c)
}
