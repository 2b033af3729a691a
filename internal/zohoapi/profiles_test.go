package zohoapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

const profileScopes = "ZohoCRM.settings.profiles.ALL,ZohoCRM.users.READ"

// permID returns the org's ID of a permission, read through the API.
func permID(t *testing.T, env *testenv.Env, tok, profile, name string) string {
	t.Helper()
	resp := env.Do(t, "GET", "/crm/v8/settings/profiles/"+profile, tok, "")
	defer resp.Body.Close()
	var body struct {
		Profiles []struct {
			PermissionsDetails []struct{ ID, Name string } `json:"permissions_details"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Profiles) != 1 {
		t.Fatalf("get profile: %d %v", resp.StatusCode, err)
	}
	for _, p := range body.Profiles[0].PermissionsDetails {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no permission %s", name)
	return ""
}

// TestAPIAccessThroughProfilesAPI turns a profile's Zoho CRM API Access
// (Developer Permissions) off and on over the API: a Standard user's token is denied for want of API access; the admin turns
// the permission on with PUT /settings/profiles/{id}; the same token works
// on its next request; off again, denied again.
func TestAPIAccessThroughProfilesAPI(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	admin := f.env.Token(t, "", profileScopes)
	grace := f.env.Token(t, standardUser, "ZohoCRM.users.READ")
	std := f.refs["profile:Standard"]
	api := permID(t, f.env, admin, std, crmguard.PermAPIAccess)
	call := func() (int, string) {
		resp := f.env.Do(t, "GET", "/crm/v8/users?type=CurrentUser", grace, "")
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	set := func(on bool) {
		resp := f.env.Do(t, "PUT", "/crm/v8/settings/profiles/"+std, admin,
			fmt.Sprintf(`{"profiles":[{"permissions_details":[{"id":"%s","enabled":%v}]}]}`, api, on))
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("PUT profile: %d %s", resp.StatusCode, b)
		}
	}
	if code, body := call(); code != 403 || !strings.Contains(body, `"permissions":["Crm_Implied_Api_Access"]`) {
		t.Fatalf("before: %d %s", code, body)
	}
	set(true)
	if code, body := call(); code != 200 || !strings.Contains(body, standardUser) {
		t.Fatalf("after turning API access on: %d %s", code, body)
	}
	set(false)
	if code, _ := call(); code != 403 {
		t.Fatalf("after turning it off again: %d", code)
	}
}

// TestProfilesScenarios pins the Profiles API in golden files under
// testdata/profiles: every endpoint and every error of Zoho's Profiles API
// pages (get-profiles, create-profile, update-profile-permission and
// transfer-delete-profile under https://www.zoho.com/crm/developer/docs/api/v8/).
func TestProfilesScenarios(t *testing.T) {
	testenv.EachBackend(t, profilesScenarios)
}

func profilesScenarios(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
	f.tokens["admin"] = f.env.Token(t, "", profileScopes)
	f.tokens["sales"] = f.env.Token(t, salesUser, profileScopes) // API access, no Manage_Profiles
	f.tokens["readonly"] = f.env.Token(t, "", "ZohoCRM.settings.profiles.READ")
	f.tokens["settings"] = f.env.Token(t, "", "ZohoCRM.settings.ALL")
	f.refs["perm:api"] = permID(t, f.env, f.tokens["admin"], f.refs["profile:Standard"], crmguard.PermAPIAccess)
	f.refs["perm:export"] = permID(t, f.env, f.tokens["admin"], f.refs["profile:Standard"], "Crm_Implied_Export")
	clone := func(name string) string {
		return `{"profiles":[{"name":"` + name + `","description":"Manages Sales for the TX region"}]}`
	}
	fillTo := func(n int) func(t *testing.T, f *usersFixture) {
		return func(t *testing.T, f *usersFixture) {
			ps, err := f.env.Svc.ListProfiles(context.Background(), f.env.Org.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i := len(ps); i < n; i++ {
				resp := f.env.Do(t, "POST", "/crm/v8/settings/profiles/"+f.refs["profile:Standard"]+"/actions/clone", f.tokens["admin"], clone(fmt.Sprintf("Filler %d", i)))
				resp.Body.Close()
				if resp.StatusCode != 201 {
					t.Fatalf("filler clone: %d", resp.StatusCode)
				}
			}
		}
	}
	f.run(t, []scenario{
		// GET
		{name: "profiles/list", method: "GET", path: "/crm/v8/settings/profiles", token: "admin"},
		{name: "profiles/list_settings_all_scope", method: "GET", path: "/crm/v2/settings/profiles?include_lite_profile=true", token: "settings"},
		{name: "profiles/list_bad_include_lite", method: "GET", path: "/crm/v8/settings/profiles?include_lite_profile=maybe", token: "admin"},
		{name: "profiles/list_not_modified", method: "GET", path: "/crm/v8/settings/profiles", token: "admin", header: []string{"If-Modified-Since", "2100-01-01T00:00:00+00:00"}},
		{name: "profiles/get_standard", method: "GET", path: "/crm/v8/settings/profiles/{profile:Standard}", token: "admin"},
		{name: "profiles/get_unknown", method: "GET", path: "/crm/v8/settings/profiles/1111111111111111111", token: "admin"},
		{name: "profiles/get_malformed", method: "GET", path: "/crm/v8/settings/profiles/x1", token: "admin"},
		{name: "profiles/get_scope_mismatch", method: "GET", path: "/crm/v8/settings/profiles", token: "org"},

		// Clone
		{name: "profiles/clone", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", changes: true, body: clone("Sales Manager")},
		{name: "profiles/clone_no_permission", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "sales", body: clone("Other")},
		{name: "profiles/clone_scope_mismatch", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "readonly", body: clone("Other")},
		{name: "profiles/clone_duplicate_name", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", body: clone("SALES manager")},
		{name: "profiles/clone_missing_name", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", body: `{"profiles":[{"description":"x"}]}`},
		{name: "profiles/clone_name_too_long", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", body: clone(strings.Repeat("n", 51))},
		{name: "profiles/clone_description_too_long", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin",
			body: `{"profiles":[{"name":"Long","description":"` + strings.Repeat("d", 251) + `"}]}`},
		{name: "profiles/clone_two", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", body: `{"profiles":[{"name":"A"},{"name":"B"}]}`},
		{name: "profiles/clone_not_array", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", body: `{"profiles":{"name":"A"}}`},
		{name: "profiles/clone_empty", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", body: `{"profiles":[]}`},
		{name: "profiles/clone_not_json", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", body: `profiles`},
		{name: "profiles/clone_unknown_source", method: "POST", path: "/crm/v8/settings/profiles/1111111111111111111/actions/clone", token: "admin", body: clone("X")},
		{name: "profiles/clone_limit", method: "POST", path: "/crm/v8/settings/profiles/{profile:Sales}/actions/clone", token: "admin", body: clone("One Too Many"), before: fillTo(25)},

		// Update
		{name: "profiles/update_permissions", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Standard}", token: "admin", changes: true,
			body: `{"profiles":[{"permissions_details":[{"id":"{perm:api}","enabled":true},{"id":"{perm:export}","enabled":true}]}]}`},
		{name: "profiles/update_name", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Support}", token: "admin", changes: true, body: `{"profiles":[{"name":"Customer Support"}]}`},
		{name: "profiles/update_unknown_permission", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Standard}", token: "admin",
			body: `{"profiles":[{"permissions_details":[{"id":"{perm:export}","enabled":false},{"id":"1111111111111111111","enabled":true}]}]}`},
		{name: "profiles/update_missing_enabled", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Standard}", token: "admin",
			body: `{"profiles":[{"permissions_details":[{"id":"{perm:export}"}]}]}`},
		{name: "profiles/update_enabled_not_bool", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Standard}", token: "admin",
			body: `{"profiles":[{"permissions_details":[{"id":"{perm:export}","enabled":"yes"}]}]}`},
		{name: "profiles/update_nothing", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Standard}", token: "admin", body: `{"profiles":[{}]}`},
		{name: "profiles/update_duplicate_name", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Standard}", token: "admin", body: `{"profiles":[{"name":"sales"}]}`},
		{name: "profiles/update_administrator", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Administrator}", token: "admin",
			body: `{"profiles":[{"permissions_details":[{"id":"{perm:api}","enabled":false}]}]}`},
		{name: "profiles/update_unknown_profile", method: "PUT", path: "/crm/v8/settings/profiles/1111111111111111111", token: "admin", body: `{"profiles":[{"name":"X"}]}`},
		{name: "profiles/update_no_permission", method: "PUT", path: "/crm/v8/settings/profiles/{profile:Standard}", token: "sales", body: `{"profiles":[{"name":"X"}]}`},

		// Delete
		{name: "profiles/delete_missing_transfer_to", method: "DELETE", path: "/crm/v8/settings/profiles/{profile:Sales}", token: "admin"},
		{name: "profiles/delete_bad_transfer_to", method: "DELETE", path: "/crm/v8/settings/profiles/{profile:Sales}?transfer_to=1111111111111111111", token: "admin"},
		{name: "profiles/delete_to_itself", method: "DELETE", path: "/crm/v8/settings/profiles/{profile:Sales}?transfer_to={profile:Sales}", token: "admin"},
		{name: "profiles/delete_built_in", method: "DELETE", path: "/crm/v8/settings/profiles/{profile:Standard}?transfer_to={profile:Sales}", token: "admin"},
		{name: "profiles/delete_no_permission", method: "DELETE", path: "/crm/v8/settings/profiles/{profile:Sales}?transfer_to={profile:Standard}", token: "sales"},
		{name: "profiles/delete_with_users", method: "DELETE", path: "/crm/v8/settings/profiles/{profile:Sales}?transfer_to={profile:Standard}", token: "admin", changes: true},
		{name: "profiles/delete_again", method: "DELETE", path: "/crm/v8/settings/profiles/{profile:Sales}?transfer_to={profile:Standard}", token: "admin"},
		{name: "profiles/users_moved", method: "GET", path: "/crm/v8/users/{patricia}", token: "admin"},
	})
}

// shape reduces a single-profile answer to what must not vary between
// profiles and versions: every permission's id, name, label and module, and
// the sections with their categories and permission IDs.
func shape(t *testing.T, env *testenv.Env, tok, path string) (string, map[string]bool) {
	t.Helper()
	resp := env.Do(t, "GET", path, tok, "")
	defer resp.Body.Close()
	var body struct {
		Profiles []struct {
			PermissionsDetails []struct {
				ID           string `json:"id"`
				Name         string `json:"name"`
				DisplayLabel string `json:"display_label"`
				Module       *string
				Enabled      bool
			} `json:"permissions_details"`
			Sections json.RawMessage
		}
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil || len(body.Profiles) != 1 {
		t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
	}
	var b strings.Builder
	enabled := map[string]bool{}
	for _, p := range body.Profiles[0].PermissionsDetails {
		module := ""
		if p.Module != nil {
			module = *p.Module
		}
		fmt.Fprintf(&b, "%s %s %s %s|", p.ID, p.Name, p.DisplayLabel, module)
		enabled[p.Name] = p.Enabled
	}
	b.Write(body.Profiles[0].Sections)
	return b.String(), enabled
}

// TestCatalogueShape: every profile, on every version, lists the same
// permissions with the same IDs in the same sections; only enabled differs.
func TestCatalogueShape(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	tok := f.env.Token(t, "", profileScopes)
	want, adminPerms := shape(t, f.env, tok, "/crm/v8/settings/profiles/"+f.refs["profile:Administrator"])
	if len(adminPerms) != len(crmguard.Catalogue) {
		t.Fatalf("%d permissions listed, catalogue has %d", len(adminPerms), len(crmguard.Catalogue))
	}
	for name, on := range adminPerms {
		if !on {
			t.Errorf("Administrator lacks %s", name)
		}
	}
	for _, sec := range []string{`"name":"tool"`, `"name":"zia"`, `"name":"share"`, `"name":"developer"`, "Crm_Implied_Api_Access Zoho CRM API Access |"} {
		if !strings.Contains(want, sec) {
			t.Errorf("the catalogue lacks %s", sec)
		}
	}
	for _, v := range []string{"v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"} {
		for _, p := range []string{"Administrator", "Standard", "Sales", "Support"} {
			got, perms := shape(t, f.env, tok, "/crm/"+v+"/settings/profiles/"+f.refs["profile:"+p])
			if got != want {
				t.Errorf("%s %s: the catalogue differs from Administrator's on v8", v, p)
			}
			if p == "Standard" && perms[crmguard.PermAPIAccess] {
				t.Errorf("Standard has API access by default")
			}
			if p == "Sales" && !perms[crmguard.PermAPIAccess] {
				t.Errorf("the demo Sales profile lacks API access")
			}
		}
	}
}
