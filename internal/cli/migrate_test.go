package cli_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	_ "modernc.org/sqlite"
)

// fieldIDs lists the org's Users fields as api name → ID.
func fieldIDs(t *testing.T, path string) map[string]crmguard.ID {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, service.Config{}, nil)
	org, err := svc.DefaultOrg(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := svc.Fields(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]crmguard.ID{}
	for _, f := range fs {
		out[f.APIName] = f.ID
	}
	return out
}

// TestMigrateRecordsSystemFields: a database whose org has no system fields
// (as one made by a version that recorded them on the first read) gets them
// from migrate, once; reading the fields before that writes nothing.
func TestMigrateRecordsSystemFields(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "crmguard.db")
	st, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service.New(st, service.Config{}, nil).EnsureOrg(ctx, service.BootstrapOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	made := fieldIDs(t, path)
	if len(made) == 0 || made["last_name"] == 0 {
		t.Fatalf("a new org has no system fields: %v", made)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DELETE FROM fields`); err != nil {
		t.Fatal(err)
	}
	if got := fieldIDs(t, path); len(got) != 0 {
		t.Fatalf("fields after the delete: %v", got)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM fields`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("reading the fields wrote %d rows (%v)", n, err)
	}

	if stdout, stderr, code := run(t, noEnv, "migrate", "--data-dir", dir); code != 0 || !strings.Contains(stdout, "up to date") {
		t.Fatalf("migrate: %d %q %q", code, stdout, stderr)
	}
	first := fieldIDs(t, path)
	if len(first) != len(made) {
		t.Errorf("migrate recorded %d fields, a new org has %d", len(first), len(made))
	}
	if _, _, code := run(t, noEnv, "migrate", "--data-dir", dir); code != 0 {
		t.Fatalf("second migrate: %d", code)
	}
	if again := fieldIDs(t, path); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("a second migrate changed the fields:\n%v\n%v", first, again)
	}

	// Starting the server (EnsureOrg on an existing org) does the same.
	if _, err := db.ExecContext(ctx, `DELETE FROM fields`); err != nil {
		t.Fatal(err)
	}
	st, err = sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	boot, err := service.New(st, service.Config{}, nil).EnsureOrg(ctx, service.BootstrapOptions{})
	st.Close()
	if err != nil || boot != nil {
		t.Fatalf("EnsureOrg on an existing org: %v %v", boot, err)
	}
	if got := fieldIDs(t, path); len(got) != len(made) {
		t.Errorf("after EnsureOrg: %d fields, want %d", len(got), len(made))
	}
}

// TestAuditListPages: --before takes the last SEQ of a page and lists the
// events before it, so a script can walk back through the whole log.
func TestAuditListPages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "crmguard.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service.New(st, service.Config{}, nil).EnsureOrg(ctx, service.BootstrapOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	d := []string{"--data-dir", dir}
	for _, label := range []string{"One", "Two", "Three"} {
		if _, stderr, code := run(t, noEnv, append([]string{"field", "add", "--label", label, "--type", "text"}, d...)...); code != 0 {
			t.Fatalf("field add: %q", stderr)
		}
	}
	page := func(args ...string) []int64 {
		t.Helper()
		stdout, stderr, code := run(t, noEnv, append(append([]string{"audit", "list", "--action", "field.", "--limit", "2", "--json"}, args...), d...)...)
		if code != 0 {
			t.Fatalf("audit list %v: %d %q", args, code, stderr)
		}
		var l struct{ Audit []struct{ Seq int64 } }
		if err := json.Unmarshal([]byte(stdout), &l); err != nil {
			t.Fatalf("audit list %v: %v\n%s", args, err, stdout)
		}
		var seqs []int64
		for _, e := range l.Audit {
			seqs = append(seqs, e.Seq)
		}
		return seqs
	}
	first := page()
	if len(first) != 2 || first[0] <= first[1] {
		t.Fatalf("first page: %v", first)
	}
	second := page("--before", fmt.Sprint(first[1]))
	if len(second) != 1 || second[0] >= first[1] {
		t.Errorf("second page: %v after %v", second, first)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"audit", "list", "--before", "-1"}, d...)...); code != 2 || !strings.Contains(stderr, "--before") {
		t.Errorf("--before -1: %d %q", code, stderr)
	}
}
