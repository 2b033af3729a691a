package zohoapi_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// delegatedUsersManager gives Grace a profile with Manage_Users and
// Manage_Profiles (and API access) but not Administrator, and returns her
// token: the attacker of these tests.
func delegatedUsersManager(t *testing.T, f *usersFixture) string {
	t.Helper()
	ctx := context.Background()
	env := f.env
	name := "User managers"
	p, err := env.Svc.CloneProfile(ctx, env.Admin, env.User(t, standardUser).ProfileID, service.ProfileInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SetProfilePermissions(ctx, env.Admin, p.ID, map[string]bool{crmguard.PermAPIAccess: true,
		crmguard.PermManageUsers: true, crmguard.PermManageProfiles: true}); err != nil {
		t.Fatal(err)
	}
	res, err := env.Svc.UpdateUsers(ctx, env.Admin, []service.UserUpdate{{ID: env.User(t, standardUser).ID, HasID: true, Input: service.UserInput{Profile: &p.ID}}})
	if err != nil || res[0] != nil {
		t.Fatalf("move Grace: %v %v", err, res)
	}
	f.refs["profile:User managers"] = p.ID.String()
	return env.Token(t, standardUser, adminScopes)
}

// answer sends a request and returns the status and the body as text.
func answer(t *testing.T, f *usersFixture, method, path, token, body string) (int, string) {
	t.Helper()
	resp := f.env.Do(t, method, f.expand(t, path), token, f.expand(t, body))
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestAdministratorStaysWithAdministrators: Manage_Users lets a user manage
// users, not make anyone (themselves included) an administrator, nor touch
// a user who is one; an administrator still can.
func TestAdministratorStaysWithAdministrators(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	mgr := delegatedUsersManager(t, f)
	f.refs["arjun"] = f.env.User(t, "arjun.mehta@example.com").ID.String()
	refused := `"code":"NO_PERMISSION"`
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		want                     []string // substrings of the body
	}{
		{"add an administrator", "POST", "/crm/v8/users",
			`{"users":[{"last_name":"Mole","email":"mole@example.com","role":"{role:Manager}","profile":"{profile:Administrator}"}]}`,
			403, []string{refused, `"api_name":"profile"`}},
		// (Changing one's own profile through the API is NOT_ALLOWED anyway.)
		{"make another administrator", "PUT", "/crm/v8/users", `{"users":[{"id":"{chloe}","profile":"{profile:Administrator}"}]}`,
			400, []string{refused, `"json_path":"$.users[0].profile"`}},
		{"rename an administrator", "PUT", "/crm/v8/users/{arjun}", `{"users":[{"first_name":"Mallory"}]}`,
			400, []string{refused, `"api_name":"id"`}},
		{"deactivate an administrator", "PUT", "/crm/v8/users", `{"users":[{"id":"{arjun}","status":"inactive"}]}`,
			400, []string{refused}},
		{"demote an administrator", "PUT", "/crm/v8/users", `{"users":[{"id":"{arjun}","profile":"{profile:Standard}"}]}`,
			400, []string{refused}},
		{"delete an administrator", "DELETE", "/crm/v8/users/{arjun}", "", 403, []string{refused}},
		{"one refused record among allowed ones", "PUT", "/crm/v8/users",
			`{"users":[{"id":"{chloe}","first_name":"Chlo"},{"id":"{arjun}","first_name":"Mallory"}]}`,
			207, []string{`"code":"SUCCESS"`, refused, `"json_path":"$.users[1].id"`}},
		{"transfer a profile's users to Administrator", "DELETE", "/crm/v8/settings/profiles/{profile:User managers}?transfer_to={profile:Administrator}", "",
			403, []string{refused, `"param_name":"transfer_to"`}},
		{"the allowed: add a Standard user", "POST", "/crm/v8/users",
			`{"users":[{"last_name":"Fine","email":"fine@example.com","role":"{role:Manager}","profile":"{profile:Standard}"}]}`,
			201, []string{`"code":"SUCCESS"`}},
	} {
		status, body := answer(t, f, c.method, c.path, mgr, c.body)
		ok := status == c.status
		for _, w := range c.want {
			ok = ok && strings.Contains(body, w)
		}
		if !ok {
			t.Errorf("%s: %d %s, want %d with %q", c.name, status, body, c.status, c.want)
		}
	}
	ctx := context.Background()
	if _, err := f.env.Svc.UserByEmail(ctx, f.env.Org.ID, "mole@example.com"); err == nil {
		t.Error("the refused administrator was added")
	}
	for email, want := range map[string]string{standardUser: "User managers", supportUser: "Support", "arjun.mehta@example.com": "Administrator"} {
		u := f.env.User(t, email)
		p, err := f.env.Svc.UserProfile(ctx, u)
		if err != nil || p.Name != want || u.Status != crmguard.UserActive || (email == "arjun.mehta@example.com" && u.FirstName != "Arjun") {
			t.Errorf("%s after the refusals: profile %v, status %s, first name %s", email, p.Name, u.Status, u.FirstName)
		}
	}

	// An administrator deactivates Arjun; the manager cannot bring him back,
	// and the administrator can still give the profile.
	if status, body := answer(t, f, "PUT", "/crm/v8/users/{arjun}", f.tokens["admin"], `{"users":[{"status":"inactive"}]}`); status != 200 {
		t.Fatalf("admin deactivates Arjun: %d %s", status, body)
	}
	if status, body := answer(t, f, "PUT", "/crm/v8/users/{arjun}", mgr, `{"users":[{"status":"active"}]}`); status != 400 || !strings.Contains(body, refused) {
		t.Errorf("manager activates an administrator: %d %s", status, body)
	}
	if status, body := answer(t, f, "PUT", "/crm/v8/users", f.tokens["admin"], `{"users":[{"id":"{chloe}","profile":"{profile:Administrator}"}]}`); status != 200 {
		t.Errorf("admin gives Administrator: %d %s", status, body)
	}
}
