package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// TestMigrationScrubsInviteLinks: a database written by a version that
// audited invitation links loses every link on upgrade, and keeps the rest
// of each event.
func TestMigrationScrubsInviteLinks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	const org = crmguard.ID(7)
	events := []*crmguard.AuditEvent{
		{OrgID: org, Time: now, Source: "api", Action: "user.add", TargetType: "user", TargetID: 1,
			After: json.RawMessage(`{"email":"ana@example.com","invite_url":"http://127.0.0.1:8080/invite/0123abcd","status":"active"}`)},
		{OrgID: org, Time: now, Source: "cli", Action: "user.invite", TargetType: "user", TargetID: 1,
			Before: json.RawMessage(`{"invite_url":"http://127.0.0.1:8080/invite/old"}`),
			After:  json.RawMessage(`{"email":"ana@example.com","invite_url":"http://127.0.0.1:8080/invite/4567ef"}`)},
		{OrgID: org, Time: now, Source: "cli", Action: "iprule.add", TargetType: "iprule", TargetID: 2,
			After: json.RawMessage(`{"range":"198.51.100.0/24"}`)},
	}
	for _, e := range events {
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Make the file look as it did before the scrub: 0005 not yet applied.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version >= '0005'`); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE after_json LIKE '%/invite/%'`).Scan(&left); err != nil || left != 2 {
		t.Fatalf("before the upgrade: %d events with a link, %v", left, err)
	}
	db.Close()

	s, err = sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.ListAudit(ctx, org, crmguard.AuditFilter{Limit: 10})
	if err != nil || len(got) != 3 {
		t.Fatalf("after the upgrade: %v %v", got, err)
	}
	for _, e := range got {
		if strings.Contains(string(e.Before)+string(e.After), "invite") {
			t.Errorf("%s still holds a link: %s / %s", e.Action, e.Before, e.After)
		}
	}
	// Newest first: iprule.add untouched, user.invite and user.add keep the rest.
	if string(got[0].After) != `{"range":"198.51.100.0/24"}` || string(got[1].Before) != `{}` ||
		string(got[1].After) != `{"email":"ana@example.com"}` || string(got[2].After) != `{"email":"ana@example.com","status":"active"}` {
		t.Errorf("after the upgrade: %s | %s %s | %s", got[0].After, got[1].Before, got[1].After, got[2].After)
	}
}
