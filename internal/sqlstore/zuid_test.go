package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// oldSQLite makes a SQLite database at path as the store left it when
// its last migration was the one named before (excluded): the migration
// files before it applied and recorded, as migrate does.
func oldSQLite(t *testing.T, path, before string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	names, err := filepath.Glob("migrations/sqlite/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatal("no migration files", err)
	}
	sort.Strings(names)
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		version := strings.TrimSuffix(filepath.Base(name), ".sql")
		if version >= before {
			break
		}
		body, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatal(name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, 0)`, version); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestMigrationsKeepUsersAndGiveZUIDs: a database from before migration
// 0009 (ZUIDs) and 0015 (the ZUID a column of users, users packed for
// reading) comes out of them with every user's fields as they were, a ZUID
// for every user in the order they were made, the next user made getting
// the next one, and no user_zuids table.
func TestMigrationsKeepUsersAndGiveZUIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db := oldSQLite(t, path, "0009")
	now := time.Now().UTC().Truncate(time.Millisecond)
	ids := crmguard.NewIDGen(nil)
	org, profile, role := ids.New(), ids.New(), ids.New()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO orgs (id, company_name, created_at, modified_at) VALUES (?, 'Acme', ?, ?)`, []any{org, now.UnixMilli(), now.UnixMilli()}},
		{`INSERT INTO profiles (org_id, id, name, name_key, display_label, custom, created_at, modified_at)
			VALUES (?, ?, 'Standard', 'standard', 'Standard', 0, ?, ?)`, []any{org, profile, now.UnixMilli(), now.UnixMilli()}},
		{`INSERT INTO roles (org_id, id, name, display_label, created_at, modified_at) VALUES (?, ?, 'CEO', 'CEO', ?, ?)`,
			[]any{org, role, now.UnixMilli(), now.UnixMilli()}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	// Made in this order of creation time, inserted in another.
	want := []*crmguard.User{
		{Email: "old@example.com", FirstName: "Unit\x1fsep", LastName: "Record\x1esep", CreatedTime: now.Add(-time.Hour),
			Extra: map[string]json.RawMessage{"city": json.RawMessage(`"Köln"`)}, InviteHash: []byte("0123456789abcdef0123456789abcdef"), InviteExpires: now.Add(time.Hour)},
		{Email: "Ann@Example.com", LastName: "Ann", CreatedTime: now, Confirmed: true, TimeZone: "Europe/Berlin", Locale: "de_DE"},
		{Email: "new@example.com", LastName: "New", CreatedTime: now.Add(time.Hour), MustChangePassword: true, PasswordHash: "$2a$10$x"},
	}
	for i, u := range want {
		u.ID, u.OrgID, u.RoleID, u.ProfileID, u.Status = ids.New(), org, role, profile, crmguard.UserActive
		u.CreatedBy, u.ModifiedBy, u.ModifiedTime, u.ZUID = u.ID, u.ID, u.CreatedTime.Add(time.Minute), int64(700000001+i)
		if i > 0 {
			u.ReportingTo = want[0].ID
		}
	}
	for _, i := range []int{2, 0, 1} {
		u := want[i]
		extra := "{}"
		if u.Extra != nil {
			extra = `{"city":"Köln"}`
		}
		var hash any
		if u.InviteHash != nil {
			hash = u.InviteHash
		}
		_, err := db.Exec(`INSERT INTO users (org_id, id, email, email_key, first_name, last_name, role_id, profile_id, status,
			confirmed, time_zone, locale, password_hash, must_change_password, created_by, modified_by, created_at, modified_at,
			reporting_to, extra, invite_hash, invite_expires) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			org, u.ID, u.Email, strings.ToLower(u.Email), u.FirstName, u.LastName, role, profile, u.Status,
			u.Confirmed, u.TimeZone, u.Locale, u.PasswordHash, u.MustChangePassword, u.CreatedBy, u.ModifiedBy,
			u.CreatedTime.UnixMilli(), u.ModifiedTime.UnixMilli(), u.ReportingTo, extra, hash, unixMilliOrZero(u.InviteExpires))
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	var told []string
	s, err := sqlstore.OpenSQLite(ctx, path, sqlstore.WithMigrationNotice(func(v string) { told = append(told, v) }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(told) == 0 || told[0] != "0009_user_zuids" || !slices.Contains(told, "0015_user_packed") {
		t.Errorf("the upgrade told of migrations %v, want 0009_user_zuids to 0015_user_packed", told)
	}
	fresh, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "new.db"), sqlstore.WithMigrationNotice(func(v string) {
		t.Errorf("a new database told of migration %s", v)
	}))
	if err != nil {
		t.Fatal(err)
	}
	fresh.Close()
	check := func(what string, got, want *crmguard.User) {
		t.Helper()
		if got == nil || !sameUser(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
		}
	}
	listed, err := s.ListUsers(ctx, crmguard.ID(org))
	if err != nil || len(listed) != len(want) {
		t.Fatalf("ListUsers: %d users, %v", len(listed), err)
	}
	for i, u := range want {
		check("ListUsers", listed[i], u)
		got, err := s.GetUser(ctx, crmguard.ID(org), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		check("GetUser", got, u)
	}
	got, err := s.GetUserByInvite(ctx, want[0].InviteHash)
	if err != nil {
		t.Fatal(err)
	}
	check("GetUserByInvite", got, want[0])

	next := *want[1]
	next.ID, next.Email, next.ZUID = ids.New(), "next@example.com", 0
	if err := s.CreateUser(ctx, &next); err != nil {
		t.Fatal(err)
	}
	if next.ZUID != 700000004 {
		t.Errorf("the next user's ZUID is %d, want 700000004", next.ZUID)
	}
	if got, err := s.GetUser(ctx, next.OrgID, next.ID); err != nil || got.ZUID != 700000004 {
		t.Errorf("the next user read back: %+v, %v", got, err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'user_zuids'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("user_zuids is still there (%d, %v)", n, err)
	}
}

func unixMilliOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// sameUser reports whether got is want, times compared as instants.
func sameUser(got, want *crmguard.User) bool {
	g, w := *got, *want
	if !g.CreatedTime.Equal(w.CreatedTime) || !g.ModifiedTime.Equal(w.ModifiedTime) || !g.InviteExpires.Equal(w.InviteExpires) {
		return false
	}
	g.CreatedTime, g.ModifiedTime, g.InviteExpires = time.Time{}, time.Time{}, time.Time{}
	w.CreatedTime, w.ModifiedTime, w.InviteExpires = time.Time{}, time.Time{}, time.Time{}
	if len(g.Extra) == 0 && len(w.Extra) == 0 {
		g.Extra, w.Extra = nil, nil
	}
	return reflect.DeepEqual(g, w)
}
