package server_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// TestOpenCreatesThenReuses: the first Open on an empty path creates the
// org and reports it in Boot; a later Open on the same file finds it and
// reports nothing created. Both serve.
func TestOpenCreatesThenReuses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crmguard.db")
	first, err := server.Open(ctx, server.Options{Path: path, Service: service.Config{PasswordCost: 4},
		Bootstrap: service.BootstrapOptions{CompanyName: "Acme"}})
	if err != nil {
		t.Fatal(err)
	}
	if first.Boot == nil || first.Org == nil || first.Org.CompanyName != "Acme" || first.Org.ID != first.Boot.Org.ID {
		t.Fatalf("first open: boot %+v, org %+v", first.Boot, first.Org)
	}
	if first.Demo != nil {
		t.Errorf("a demo without Options.Demo: %+v", first.Demo)
	}
	readyz(t, first)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}

	again, err := server.Open(ctx, server.Options{Path: path, Bootstrap: service.BootstrapOptions{CompanyName: "Other"}})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Boot != nil || again.Org.ID != first.Org.ID || again.Org.CompanyName != "Acme" {
		t.Fatalf("second open: boot %+v, org %+v; want the first org, nothing created", again.Boot, again.Org)
	}
	readyz(t, again)
}

// TestOpenOverAGivenStore: a store the caller opened stays open after
// Close, for the caller to close.
func TestOpenOverAGivenStore(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "crmguard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := server.Open(ctx, server.Options{Store: st, Service: service.Config{PasswordCost: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Store != st {
		t.Error("the stack does not use the given store")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Errorf("the given store was closed by the stack: %v", err)
	}
}

// TestOpenWatchesOtherProcesses: the stack's watcher runs from Open on, so
// a change another process writes to the same file moves its epoch.
func TestOpenWatchesOtherProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crmguard.db")
	s, err := server.Open(ctx, server.Options{Path: path, Service: service.Config{PasswordCost: 4}, PollInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	admin := crmguard.Actor{OrgID: s.Org.ID, UserID: s.Org.PrimaryUserID, Source: crmguard.SourceCLI}
	before := s.Service.Epoch()
	if _, err := service.New(other, service.Config{}, nil).AddIPRule(ctx, admin, service.IPRuleInput{Range: "203.0.113.0/24", AppliesTo: crmguard.IPRuleAll}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(3 * time.Second); s.Service.Epoch() == before; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a change written by another process never moved the stack's epoch")
		}
	}
}

func readyz(t *testing.T, s *server.Stack) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 200 || rec.Body.String() != "ready\n" {
		t.Errorf("/readyz: %d %q", rec.Code, rec.Body.String())
	}
}
