package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// TestMigrationBackfillsZUIDs: a database from before migration 0009 gets
// a ZUID for every user in the order they were made, running it again
// changes none, and the next user made gets the next one.
func TestMigrationBackfillsZUIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := seed(t, s) // Ann, made now
	older, newer := *f.user, *f.user
	older.ID, older.Email, older.CreatedTime = f.ids.New(), "old@example.com", f.now.Add(-time.Hour)
	newer.ID, newer.Email, newer.CreatedTime = f.ids.New(), "new@example.com", f.now.Add(time.Hour)
	for _, u := range []*crmguard.User{&older, &newer} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rerun := func(forget bool) {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if forget {
			if _, err := db.ExecContext(ctx, `DELETE FROM user_zuids`); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version LIKE '0009%'`); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int64{"old@example.com": 700000001, "Ann@Example.com": 700000002, "new@example.com": 700000003}
	for _, forget := range []bool{true, false} {
		rerun(forget)
		s, err = sqlstore.OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		users, err := s.ListUsers(ctx, f.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if u.ZUID != want[u.Email] {
				t.Errorf("forget=%v: %s has ZUID %d, want %d", forget, u.Email, u.ZUID, want[u.Email])
			}
		}
		if forget {
			s.Close()
		}
	}
	defer s.Close()
	next := *f.user
	next.ID, next.Email = f.ids.New(), "next@example.com"
	if err := s.CreateUser(ctx, &next); err != nil {
		t.Fatal(err)
	}
	if next.ZUID != 700000004 {
		t.Errorf("the next user's ZUID is %d, want 700000004", next.ZUID)
	}
}
