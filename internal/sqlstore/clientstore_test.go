package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// TestClientDeleteAndSecret: a new secret hash replaces the old one; a
// deleted client is gone with its tokens revoked and another client's kept;
// an unknown client, or one of another org, is ErrNotFound for both.
func TestClientDeleteAndSecret(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			f := seed(t, s)
			var tokens []*crmguard.AccessToken
			for _, id := range []string{"1000.GONE", "1000.KEPT"} {
				if err := s.CreateClient(ctx, &crmguard.Client{ID: f.ids.New(), OrgID: f.org.ID, ClientID: id, SecretHash: []byte("old"),
					Name: id, Type: crmguard.ClientSelf, CreatedTime: f.now}); err != nil {
					t.Fatal(err)
				}
				rt := &crmguard.RefreshToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: []byte("r" + id), ClientID: id, UserID: f.user.ID, Scopes: "s", CreatedTime: f.now}
				at := &crmguard.AccessToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: []byte("a" + id), RefreshID: rt.ID, ClientID: id,
					UserID: f.user.ID, Scopes: "s", ExpiresAt: f.now.Add(time.Hour), CreatedTime: f.now}
				if err := s.CreateRefreshToken(ctx, rt); err != nil {
					t.Fatal(err)
				}
				if err := s.CreateAccessToken(ctx, at); err != nil {
					t.Fatal(err)
				}
				tokens = append(tokens, at)
			}
			if err := s.UpdateClientSecret(ctx, f.org.ID, "1000.KEPT", []byte("new")); err != nil {
				t.Fatal(err)
			}
			if c, err := s.GetClient(ctx, "1000.KEPT"); err != nil || string(c.SecretHash) != "new" {
				t.Errorf("after UpdateClientSecret: %v %v", c, err)
			}
			for _, err := range []error{
				s.UpdateClientSecret(ctx, f.org.ID, "1000.NONE", []byte("x")),
				s.UpdateClientSecret(ctx, f.org.ID+1, "1000.KEPT", []byte("x")),
				s.DeleteClient(ctx, f.org.ID+1, "1000.KEPT", f.now),
			} {
				if !errors.Is(err, crmguard.ErrNotFound) {
					t.Errorf("unknown client or other org: %v, want ErrNotFound", err)
				}
			}
			if err := s.DeleteClient(ctx, f.org.ID, "1000.GONE", f.now); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetClient(ctx, "1000.GONE"); !errors.Is(err, crmguard.ErrNotFound) {
				t.Errorf("deleted client: %v", err)
			}
			if err := s.DeleteClient(ctx, f.org.ID, "1000.GONE", f.now); !errors.Is(err, crmguard.ErrNotFound) {
				t.Errorf("second delete: %v", err)
			}
			refresh, access, err := s.ListTokens(ctx, f.org.ID, 0, f.now, 10)
			if err != nil || len(refresh) != 1 || len(access) != 1 || refresh[0].ClientID != "1000.KEPT" || access[0].ID != tokens[1].ID {
				t.Errorf("live tokens after the delete: %v %v %v", refresh, access, err)
			}
		})
	}
}
