package zohoapi_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // a second connection to the test's database file

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestInvalidTextIsRefused: invalid UTF-8, an unpaired surrogate escape and
// NUL in any text the API writes are INVALID_DATA naming the field, not
// stored with U+FFFD in their place (as Go's JSON decoder would leave them).
func TestInvalidTextIsRefused(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	bad := map[string]string{"invalid UTF-8": "Gr\xffce", "NUL": `Gr\u0000ce`, "lone surrogate": `Gr\ud800ce`}
	for what, v := range bad {
		for _, c := range []struct{ method, path, body, api string }{
			{"PUT", "/crm/v8/users", `{"users":[{"id":"{grace}","first_name":"` + v + `"}]}`, "first_name"},
			{"PUT", "/crm/v8/users/{grace}", `{"users":[{"last_name":"` + v + `"}]}`, "last_name"},
			{"POST", "/crm/v8/users", `{"users":[{"last_name":"` + v + `","email":"new@example.com","role":"{role:Manager}","profile":"{profile:Standard}"}]}`, "last_name"},
			{"POST", "/crm/v8/settings/profiles/{profile:Standard}/actions/clone", `{"profiles":[{"name":"` + v + `"}]}`, "name"},
			{"POST", "/crm/v8/settings/profiles/{profile:Standard}/actions/clone", `{"profiles":[{"name":"Fine","description":"` + v + `"}]}`, "description"},
			{"PUT", "/crm/v8/settings/profiles/{profile:Sales}", `{"profiles":[{"name":"` + v + `"}]}`, "name"},
			{"POST", "/crm/v8/settings/roles", `{"roles":[{"name":"` + v + `","reporting_to":"{role:Manager}"}]}`, "name"},
			{"POST", "/crm/v8/settings/roles", `{"roles":[{"name":"Fine","description":"` + v + `","reporting_to":"{role:Manager}"}]}`, "description"},
			{"PUT", "/crm/v8/settings/roles/{role:Manager}", `{"roles":[{"name":"` + v + `"}]}`, "name"},
		} {
			status, body := answer(t, f, c.method, c.path, f.tokens["admin"], c.body)
			if status != 400 || !strings.Contains(body, `"code":"INVALID_DATA"`) || !strings.Contains(body, `"api_name":"`+c.api+`"`) {
				t.Errorf("%s in %s %s %s: %d %s", what, c.method, c.path, c.api, status, body)
			}
		}
	}
	ctx := context.Background()
	grace := f.env.User(t, standardUser)
	if grace.FirstName != "Grace" || grace.LastName != "Nwosu" {
		t.Errorf("Grace is now %q %q", grace.FirstName, grace.LastName)
	}
	profiles, _ := f.env.Svc.ListProfiles(ctx, f.env.Org.ID)
	roles, _ := f.env.Svc.ListRoles(ctx, f.env.Org.ID)
	for _, p := range profiles {
		if p.Name == "Fine" || strings.ContainsAny(p.Name+p.Description, "\x00\uFFFD") {
			t.Errorf("profile %q %q stored", p.Name, p.Description)
		}
	}
	for _, r := range roles {
		if r.Name == "Fine" || strings.ContainsAny(r.Name+r.Description, "\x00\uFFFD") {
			t.Errorf("role %q %q stored", r.Name, r.Description)
		}
	}
	// Clean text with accents and emoji still goes through.
	if status, body := answer(t, f, "PUT", "/crm/v8/users/{grace}", f.tokens["admin"], `{"users":[{"first_name":"Grâce 🌱"}]}`); status != 200 {
		t.Errorf("clean text: %d %s", status, body)
	}
}

// TestStoreFailureIsNotInvalidData: when the store fails while checking a
// reference, the client gets INTERNAL_ERROR 500, not an INVALID_DATA that
// blames their input. The roles table is made unreadable behind the
// server's back through a second connection to its database file.
func TestStoreFailureIsNotInvalidData(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	if status, body := answer(t, f, "GET", "/crm/v8/users?type=CurrentUser", f.tokens["admin"], ""); status != 200 {
		t.Fatalf("before: %d %s", status, body)
	}
	db, err := sql.Open("sqlite", f.env.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`ALTER TABLE roles RENAME TO roles_away`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, body string }{
		{"PUT", "/crm/v8/users/{grace}", `{"users":[{"role":"{role:Manager}"}]}`},
		{"POST", "/crm/v8/users", `{"users":[{"last_name":"New","email":"new@example.com","role":"{role:Manager}","profile":"{profile:Standard}"}]}`},
	} {
		status, body := answer(t, f, c.method, c.path, f.tokens["admin"], c.body)
		if status != 500 || !strings.Contains(body, `"code":"`+crmguard.CodeInternalError+`"`) || strings.Contains(body, "roles") {
			t.Errorf("%s %s with the roles table gone: %d %s", c.method, c.path, status, body)
		}
	}
}
