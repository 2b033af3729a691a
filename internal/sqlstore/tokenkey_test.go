package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

func TestTokenStore(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("TokenKeyOnce", func(t *testing.T) { testTokenKeyOnce(t, open(t)) })
			t.Run("UseRefreshToken", func(t *testing.T) { testUseRefreshToken(t, open(t)) })
			t.Run("RevokeGrantTokens", func(t *testing.T) { testRevokeGrantTokens(t, open(t)) })
		})
	}
}

// testTokenKeyOnce: callers racing on a store with no key yet all get the
// same 32 random bytes, and keep getting them.
func testTokenKeyOnce(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := s.TokenKey(ctx)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	if len(keys[0]) != 32 || bytes.Equal(keys[0], make([]byte, 32)) {
		t.Fatalf("key %x: want 32 random bytes", keys[0])
	}
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatalf("concurrent first calls got different keys: %x and %x", keys[0], k)
		}
	}
	again, err := s.TokenKey(ctx)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatalf("second call: %x %v, want the first key", again, err)
	}
}

// TestTokenKeySharedByProcesses: a second store on the same file (the CLI
// beside the server) reads the key the first one made.
func TestTokenKeySharedByProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ka, err := a.TokenKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := b.TokenKey(ctx)
	if err != nil || !bytes.Equal(ka, kb) {
		t.Fatalf("second store's key %x (%v), want the first's %x", kb, err, ka)
	}
	other, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if ko, _ := other.TokenKey(ctx); bytes.Equal(ko, ka) {
		t.Fatal("two installations share a key")
	}
}

// testUseRefreshToken: a use succeeds only for a live token of the same
// client, and a revoked one is never used.
func testUseRefreshToken(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	rt := &crmguard.RefreshToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: []byte("r"), ClientID: "1000.X", UserID: f.user.ID,
		Scopes: "s", GrantID: 42, CreatedTime: f.now}
	if err := s.CreateRefreshToken(ctx, rt); err != nil {
		t.Fatal(err)
	}
	later := f.now.Add(time.Minute)
	if _, err := s.UseRefreshToken(ctx, []byte("r"), "1000.OTHER", later); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("other client's use: %v, want ErrNotFound", err)
	}
	got, err := s.UseRefreshToken(ctx, []byte("r"), "1000.X", later)
	if err != nil || got.ID != rt.ID || got.GrantID != 42 || got.LastUsed == nil || !got.LastUsed.Equal(later) {
		t.Fatalf("use: %+v %v", got, err)
	}
	if err := s.RevokeRefreshToken(ctx, rt.ID, later); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseRefreshToken(ctx, []byte("r"), "1000.X", later); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("use after revoke: %v, want ErrNotFound", err)
	}
}

// testRevokeGrantTokens: the grant's refresh token and every access token
// carrying its ID are revoked; other tokens are not.
func testRevokeGrantTokens(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	g := &crmguard.Grant{ID: f.ids.New(), OrgID: f.org.ID, CodeHash: []byte("code"), ClientID: "1000.X", UserID: f.user.ID,
		Scopes: "s", ExpiresAt: f.now.Add(time.Minute), CreatedTime: f.now}
	if err := s.CreateGrant(ctx, g); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseGrant(ctx, g.CodeHash, f.now); err != nil {
		t.Fatal(err)
	}
	used, err := s.GetGrant(ctx, g.CodeHash)
	if err != nil || used.ID != g.ID || used.UsedAt == nil {
		t.Fatalf("GetGrant of a used code: %+v %v", used, err)
	}
	if _, err := s.GetGrant(ctx, []byte("nope")); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("GetGrant unknown: %v", err)
	}
	rt := &crmguard.RefreshToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: []byte("r"), ClientID: "1000.X", UserID: f.user.ID,
		Scopes: "s", GrantID: g.ID, CreatedTime: f.now}
	other := &crmguard.RefreshToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: []byte("r2"), ClientID: "1000.X", UserID: f.user.ID,
		Scopes: "s", CreatedTime: f.now}
	for _, r := range []*crmguard.RefreshToken{rt, other} {
		if err := s.CreateRefreshToken(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for i, refresh := range []crmguard.ID{rt.ID, rt.ID, other.ID} {
		grant := g.ID
		if refresh == other.ID {
			grant = 0
		}
		at := &crmguard.AccessToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: []byte{byte('a' + i)}, RefreshID: refresh, ClientID: "1000.X",
			UserID: f.user.ID, Scopes: "s", GrantID: grant, ExpiresAt: f.now.Add(time.Hour), CreatedTime: f.now}
		if err := s.CreateAccessToken(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	refresh, access, err := s.RevokeGrantTokens(ctx, g.ID, f.now)
	if err != nil || refresh != 1 || access != 2 {
		t.Fatalf("RevokeGrantTokens: %d refresh, %d access, %v; want 1 and 2", refresh, access, err)
	}
	if live, _ := s.ListLiveAccessTokens(ctx, rt.ID, f.now); len(live) != 0 {
		t.Errorf("%d access tokens of the grant still live", len(live))
	}
	if live, _ := s.ListLiveAccessTokens(ctx, other.ID, f.now); len(live) != 1 {
		t.Errorf("a token of no grant was revoked too (%d live, want 1)", len(live))
	}
	if got, _ := s.GetRefreshToken(ctx, []byte("r2")); got.RevokedAt != nil {
		t.Error("another refresh token was revoked")
	}
	if refresh, access, _ := s.RevokeGrantTokens(ctx, g.ID, f.now); refresh != 0 || access != 0 {
		t.Errorf("second revocation counted %d and %d", refresh, access)
	}
}
