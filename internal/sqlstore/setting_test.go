package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// TestSetting: a setting is absent until set, then holds its last value;
// snapshots leave the settings table out, and a restore keeps the value
// the installation has (an export does not carry another server's URL).
func TestSetting(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			if _, err := s.Setting(ctx, sqlstore.SettingPublicURL); !errors.Is(err, crmguard.ErrNotFound) {
				t.Fatalf("unset: %v, want ErrNotFound", err)
			}
			for _, v := range []string{"http://127.0.0.1:1234", "https://crm.example.test"} {
				if err := s.SetSetting(ctx, sqlstore.SettingPublicURL, v); err != nil {
					t.Fatal(err)
				}
				if got, err := s.Setting(ctx, sqlstore.SettingPublicURL); err != nil || got != v {
					t.Fatalf("after setting %q: %q, %v", v, got, err)
				}
			}
			if name == "postgres" {
				return // snapshots are SQLite's
			}
			snap, err := s.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := snap.Tables["settings"]; ok {
				t.Error("the snapshot holds the settings table")
			}
			if err := s.SetSetting(ctx, sqlstore.SettingPublicURL, "http://127.0.0.1:5678"); err != nil {
				t.Fatal(err)
			}
			if err := s.Restore(ctx, snap); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Setting(ctx, sqlstore.SettingPublicURL); got != "http://127.0.0.1:5678" {
				t.Errorf("after a restore: %q, want the value set since", got)
			}
		})
	}
}

// TestRestoreAcrossLayoutMigrations: a snapshot taken before a migration
// that changed only how SQLite stores the data (0016) restores; one from
// before a migration that changed what the tables hold, or from a newer
// server, is refused and changes nothing.
func TestRestoreAcrossLayoutMigrations(t *testing.T) {
	ctx := context.Background()
	s := backends(t)["sqlite"](t)
	f := seed(t, s)
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.SchemaVersion != 16 {
		t.Fatalf("schema version %d: this test's versions need updating", snap.SchemaVersion)
	}
	changed := *f.user
	changed.FirstName = "Changed"
	if err := s.UpdateUser(ctx, &changed); err != nil {
		t.Fatal(err)
	}
	firstName := func() string {
		t.Helper()
		u, err := s.GetUser(ctx, f.org.ID, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		return u.FirstName
	}
	for _, v := range []int{14, 17} {
		snap.SchemaVersion = v
		err := s.Restore(ctx, snap)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", v)) {
			t.Fatalf("restore of a version %d snapshot: %v, want it refused", v, err)
		}
		if got := firstName(); got != "Changed" {
			t.Fatalf("after the refused restore of a version %d snapshot: first name %q, want it unchanged", v, got)
		}
	}
	snap.SchemaVersion = 15
	if err := s.Restore(ctx, snap); err != nil {
		t.Fatalf("restore of a version 15 snapshot: %v", err)
	}
	if got := firstName(); got != f.user.FirstName {
		t.Fatalf("after the restore: first name %q, want the snapshot's %q", got, f.user.FirstName)
	}
}
