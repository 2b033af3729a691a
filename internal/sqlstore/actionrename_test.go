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

// TestMigrationRenamesAuditActions: events an earlier version wrote as
// user.create and role.create are found, after the upgrade, by the names
// every writer now uses.
func TestMigrationRenamesAuditActions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	const org = crmguard.ID(7)
	for _, action := range []string{"user.create", "user.add", "role.create", "role.add", "user.delete"} {
		if err := s.AppendAudit(ctx, &crmguard.AuditEvent{OrgID: org, Time: now, Source: "system", Action: action, TargetType: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Make the file look as it did before: the rename not yet applied.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = '0008_audit_action_names'`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for action, want := range map[string]int{"user.add": 2, "role.add": 2, "user.create": 0, "role.create": 0, "user.": 3} {
		evs, err := s.ListAudit(ctx, org, crmguard.AuditFilter{Action: action, Limit: 10})
		if err != nil || len(evs) != want {
			t.Errorf("action %s: %d events, want %d (%v)", action, len(evs), want, err)
		}
	}
}
