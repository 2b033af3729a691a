package zohoapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

const (
	adminScopes   = "ZohoCRM.users.ALL,ZohoCRM.settings.ALL"
	unconfirmed   = "priya.raman@example.com" // Sales, not confirmed
	anotherSales  = "marcus.webb@example.com" // Sales, Manager
	readOnlyScope = "ZohoCRM.users.READ"
)

// usersFixture is a demo org with the tokens and names the scenarios use.
type usersFixture struct {
	env    *testenv.Env
	tokens map[string]string
	refs   map[string]string
}

func newUsersFixture(t *testing.T, b testenv.Backend) *usersFixture {
	env := testenv.New(t, testenv.Options{Backend: b, Demo: true})
	ctx := context.Background()
	f := &usersFixture{env: env, tokens: map[string]string{}, refs: map[string]string{}}
	f.tokens["admin"] = env.Token(t, "", adminScopes)
	f.tokens["read"] = env.Token(t, "", readOnlyScope)
	f.tokens["org"] = env.Token(t, "", orgScope)
	f.tokens["arjun"] = env.Token(t, "arjun.mehta@example.com", adminScopes) // Administrator, not the primary contact
	f.tokens["sales"] = env.Token(t, salesUser, adminScopes)                 // API access, no Manage_Users
	f.tokens["inactive"] = func() string {
		setStatus(t, env, inactiveUser, crmguard.UserActive)
		defer setStatus(t, env, inactiveUser, crmguard.UserDisabled)
		return env.Token(t, inactiveUser, adminScopes)
	}()
	for name, email := range map[string]string{"admin": "", "patricia": salesUser, "oliver": inactiveUser,
		"priya": unconfirmed, "grace": standardUser, "chloe": supportUser, "marcus": anotherSales} {
		f.refs[name] = env.User(t, email).ID.String()
	}
	roles, err := env.Svc.ListRoles(ctx, env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		f.refs["role:"+r.Name] = r.ID.String()
	}
	profiles, err := env.Svc.ListProfiles(ctx, env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		f.refs["profile:"+p.Name] = p.ID.String()
	}
	return f
}

// expand replaces {name} with the ID of a fixture user, role or profile.
func (f *usersFixture) expand(t *testing.T, s string) string {
	t.Helper()
	for k, v := range f.refs {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	if i := strings.Index(s, "{"); i >= 0 && strings.Contains(s[i:], "}") && !strings.HasPrefix(s[i:], `{"`) && !strings.HasPrefix(s[i:], "{}") {
		if j := strings.Index(s[i:], "}"); j > 0 && !strings.ContainsAny(s[i+1:i+j], `":,[ `) {
			t.Fatalf("unknown reference in %q", s[i:i+j+1])
		}
	}
	return s
}

type scenario struct {
	name, method, path, token, body string
	header                          []string
	// changes says whether the request must change the org: every change
	// is audited, so the audit sequence tells, and a refused request must
	// leave it where it was.
	changes bool
	before  func(t *testing.T, f *usersFixture)
}

func (f *usersFixture) run(t *testing.T, cases []scenario) {
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before(t, f)
			}
			seq, err := f.env.Store.LastAuditSeq(ctx)
			if err != nil {
				t.Fatal(err)
			}
			resp := f.env.Do(t, c.method, f.expand(t, c.path), f.tokens[c.token], f.expand(t, c.body), c.header...)
			name := c.name
			if !strings.Contains(name, "/") {
				name = "users/" + name
			}
			testenv.GoldenResponse(t, name, resp)
			after, err := f.env.Store.LastAuditSeq(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if changed := after != seq; changed != c.changes {
				t.Errorf("changed the org: %v, want %v", changed, c.changes)
			}
		})
	}
}

func setLicences(n int) func(t *testing.T, f *usersFixture) {
	return func(t *testing.T, f *usersFixture) {
		o, err := f.env.Store.GetOrg(context.Background(), f.env.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n < 0 { // as many licences as active users: none left
			if n, err = f.env.Store.CountUsers(context.Background(), o.ID, crmguard.UserActive); err != nil {
				t.Fatal(err)
			}
		}
		o.LicenseUsers = n
		if err := f.env.Store.UpdateOrg(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
}

func addField(label, typ string, values ...string) func(t *testing.T, f *usersFixture) {
	return func(t *testing.T, f *usersFixture) {
		if _, err := f.env.Svc.AddField(context.Background(), f.env.Admin, service.NewField{Label: label, Type: typ, PickList: values}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUsersScenarios pins every Users API endpoint and every error Zoho
// documents for it (https://www.zoho.com/crm/developer/docs/api/v8/get-users.html
// and the add-user, update-user and delete-user pages beside it), in golden
// files under testdata/users. The brief_* cases are the error table of
// Zoho's Kaizen #51 post, "Handling Users with ZohoCRM API"
// (https://help.zoho.com/portal/en/community/topic/kaizen-51-handling-users-with-zohocrm-api),
// row by row; the golden files carry their names.
func TestUsersScenarios(t *testing.T) {
	testenv.EachBackend(t, usersScenarios)
}

func usersScenarios(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
	many := make([]string, 101)
	for i := range many {
		many[i] = `{"id":"{grace}","city":"Lyon"}`
	}
	add := func(extra string) string {
		return `{"users":[{"last_name":"Lima","first_name":"Ana","email":"ana.lima@example.com","role":"{role:Sales Rep}","profile":"{profile:Standard}"` + extra + `}]}`
	}
	f.run(t, []scenario{
		// Kaizen #51's error table, row by row.
		{name: "brief_1_invalid_id_v2_get", method: "GET", path: "/crm/v2/users/1111111111111111111", token: "admin"},
		{name: "brief_1_invalid_id_v2_update", method: "PUT", path: "/crm/v2/users/1111111111111111111", token: "admin", body: `{"users":[{"city":"Lyon"}]}`},
		{name: "brief_1_invalid_id_v2_delete", method: "DELETE", path: "/crm/v2/users/1111111111111111111", token: "admin"},
		{name: "brief_2_duplicate_email", method: "POST", path: "/crm/v2/users", token: "admin",
			body: `{"users":[{"last_name":"Boyle","email":"PATRICIA.BOYLE@example.com","role":"{role:Manager}","profile":"{profile:Sales}"}]}`},
		{name: "brief_3_mandatory_missing", method: "POST", path: "/crm/v2/users", token: "admin",
			body: `{"users":[{"first_name":"Ana","email":"ana@example.com","role":"{role:Manager}","profile":"{profile:Sales}"}]}`},
		{name: "brief_4_license_limit", method: "POST", path: "/crm/v2/users", token: "admin", body: add(""), before: setLicences(-1)},
		{name: "brief_5_primary_contact_delete", method: "DELETE", path: "/crm/v2/users/{admin}", token: "admin", before: setLicences(100)},
		{name: "brief_6_already_deleted_setup", method: "DELETE", path: "/crm/v2/users/{chloe}", token: "admin", changes: true},
		{name: "brief_6_already_deleted", method: "DELETE", path: "/crm/v2/users/{chloe}", token: "admin"},
		{name: "brief_7_inactive_user", method: "GET", path: "/crm/v2/users", token: "inactive"},

		// GET /users
		{name: "list_default_first_page", method: "GET", path: "/crm/v8/users?per_page=2", token: "admin"},
		{name: "list_second_page", method: "GET", path: "/crm/v8/users?per_page=2&page=2&", token: "admin"},
		{name: "list_last_page", method: "GET", path: "/crm/v8/users?type=AdminUsers&per_page=1&page=2", token: "admin"},
		{name: "list_past_the_end", method: "GET", path: "/crm/v8/users?page=2", token: "admin"},
		{name: "list_current_user", method: "GET", path: "/crm/v8/users?type=CurrentUser", token: "sales"},
		{name: "list_ids", method: "GET", path: "/crm/v8/users?ids={grace},{priya}", token: "admin"},
		{name: "list_ids_deleted_not_in_all_users", method: "GET", path: "/crm/v8/users?ids={chloe}", token: "admin"},
		{name: "list_deleted_users", method: "GET", path: "/crm/v8/users?type=DeletedUsers", token: "admin"},
		{name: "list_if_modified_since_nothing_newer", method: "GET", path: "/crm/v8/users", token: "admin",
			header: []string{"If-Modified-Since", "2100-01-01T00:00:00+00:00"}},
		{name: "list_unknown_type", method: "GET", path: "/crm/v8/users?type=Everyone", token: "admin"},
		{name: "list_page_zero", method: "GET", path: "/crm/v8/users?page=0", token: "admin"},
		{name: "list_per_page_201", method: "GET", path: "/crm/v8/users?per_page=201", token: "admin"},
		{name: "list_per_page_not_a_number", method: "GET", path: "/crm/v8/users?per_page=ten", token: "admin"},
		{name: "list_bad_ids", method: "GET", path: "/crm/v8/users?ids=12,abc", token: "admin"},
		{name: "list_bad_if_modified_since", method: "GET", path: "/crm/v8/users", token: "admin", header: []string{"If-Modified-Since", "yesterday"}},
		{name: "list_scope_mismatch", method: "GET", path: "/crm/v8/users", token: "org"},

		// GET /users/{id}
		{name: "get_one", method: "GET", path: "/crm/v8/users/{priya}", token: "admin"},
		{name: "get_one_v2_spelling", method: "GET", path: "/crm/v2/users/{grace}", token: "admin"},
		{name: "get_deleted", method: "GET", path: "/crm/v8/users/{chloe}", token: "admin"},
		{name: "get_unknown_v8", method: "GET", path: "/crm/v8/users/1111111111111111111", token: "admin"},
		{name: "get_malformed_id", method: "GET", path: "/crm/v8/users/abc", token: "admin"},
		{name: "get_not_modified", method: "GET", path: "/crm/v8/users/{grace}", token: "admin",
			header: []string{"If-Modified-Since", "2100-01-01T00:00:00+00:00"}},
		{name: "get_wrong_method", method: "PATCH", path: "/crm/v8/users/{grace}", token: "admin"},

		// GET /users/actions/count
		{name: "count_all", method: "GET", path: "/crm/v8/users/actions/count", token: "admin"},
		{name: "count_deactivated", method: "GET", path: "/crm/v8/users/actions/count?type=DeactiveUsers", token: "admin"},
		{name: "count_current_user", method: "GET", path: "/crm/v8/users/actions/count?type=CurrentUser", token: "admin"},
		{name: "count_unknown_type", method: "GET", path: "/crm/v8/users/actions/count?type=Nobody", token: "admin"},

		// GET /users/search
		{name: "search_equals", method: "GET", path: "/crm/v8/users/search?criteria=(email:equals:GRACE.NWOSU@example.com)", token: "admin"},
		{name: "search_or_and_in", method: "GET", path: "/crm/v8/users/search?per_page=5&criteria=((last_name:starts_with:B)or(profile:in:{profile:Administrator},1))", token: "admin"},
		{name: "search_no_match", method: "GET", path: "/crm/v8/users/search?criteria=(city:equals:Atlantis)", token: "admin"},
		{name: "search_missing_criteria", method: "GET", path: "/crm/v8/users/search", token: "admin"},
		{name: "search_unbalanced", method: "GET", path: "/crm/v8/users/search?criteria=((email:equals:a@b.c)", token: "admin"},
		{name: "search_mixed_and_or", method: "GET", path: "/crm/v8/users/search?criteria=(city:equals:1)and(state:equals:2)or(zip:equals:3)", token: "admin"},
		{name: "search_unknown_field", method: "GET", path: "/crm/v8/users/search?criteria=(shoe_size:equals:42)", token: "admin"},
		{name: "search_unknown_operator", method: "GET", path: "/crm/v8/users/search?criteria=(email:contains:x)", token: "admin"},
		{name: "search_eleven_conditions", method: "GET", path: "/crm/v8/users/search?criteria=" + strings.Repeat("(city:equals:x)or", 10) + "(city:equals:x)", token: "admin"},

		// POST /users
		{name: "add_user", method: "POST", path: "/crm/v8/users", token: "admin", changes: true,
			body: add(`,"city":"Chennai","website":"www.zoho.com","dob":"1990-02-28","Reporting_To":{"id":"{patricia}"}`)},
		{name: "add_user_object_forms", method: "POST", path: "/crm/v8/users", token: "admin", changes: true,
			body: `{"users":[{"last_name":"Sato","email":"kenji.sato@example.com","role":{"id":"{role:Manager}"},"profile":{"id":"{profile:Sales}","name":"Sales"}}]}`},
		{name: "add_missing_email", method: "POST", path: "/crm/v8/users", token: "admin",
			body: `{"users":[{"last_name":"Lima","role":"{role:Manager}","profile":"{profile:Sales}"}]}`},
		{name: "add_missing_role", method: "POST", path: "/crm/v8/users", token: "admin",
			body: `{"users":[{"last_name":"Lima","email":"x@example.com","profile":"{profile:Sales}"}]}`},
		{name: "add_missing_profile", method: "POST", path: "/crm/v8/users", token: "admin",
			body: `{"users":[{"last_name":"Lima","email":"x@example.com","role":"{role:Manager}","profile":null}]}`},
		{name: "add_two_users", method: "POST", path: "/crm/v8/users", token: "admin",
			body: `{"users":[{"last_name":"A"},{"last_name":"B"}]}`},
		{name: "add_unknown_role", method: "POST", path: "/crm/v8/users", token: "admin",
			body: `{"users":[{"last_name":"Lima","email":"x@example.com","role":"1111111111111111111","profile":"{profile:Sales}"}]}`},
		{name: "add_bad_email", method: "POST", path: "/crm/v8/users", token: "admin",
			body: `{"users":[{"last_name":"Lima","email":"not-an-email","role":"{role:Manager}","profile":"{profile:Sales}"}]}`},
		{name: "add_name_too_long", method: "POST", path: "/crm/v8/users", token: "admin", body: add(`,"first_name":"` + strings.Repeat("a", 51) + `"`)},
		{name: "add_bad_date", method: "POST", path: "/crm/v8/users", token: "admin", body: add(`,"dob":"1990-02-30"`)},
		{name: "add_bad_picklist", method: "POST", path: "/crm/v8/users", token: "admin", body: add(`,"time_format":"noon"`)},
		{name: "add_unknown_field", method: "POST", path: "/crm/v8/users", token: "admin", body: add(`,"shoe_size":42`)},
		{name: "add_read_only_fields_ignored", method: "POST", path: "/crm/v8/users", token: "admin", changes: true,
			body: `{"users":[{"last_name":"Echo","email":"echo@example.com","role":"{role:Manager}","profile":"{profile:Sales}","full_name":"X","confirm":true,"Isonline":true,"zuid":"1"}]}`},
		{name: "add_not_json", method: "POST", path: "/crm/v8/users", token: "admin", body: `{"users":[`},
		{name: "add_no_users_key", method: "POST", path: "/crm/v8/users", token: "admin", body: `{"user":[]}`},
		{name: "add_users_not_array", method: "POST", path: "/crm/v8/users", token: "admin", body: `{"users":{"last_name":"A"}}`},
		{name: "add_record_not_object", method: "POST", path: "/crm/v8/users", token: "admin", body: `{"users":["A"]}`},
		{name: "add_no_manage_users", method: "POST", path: "/crm/v8/users", token: "sales", body: add("")},
		{name: "add_scope_mismatch", method: "POST", path: "/crm/v8/users", token: "read", body: add("")},

		// Custom fields
		{name: "custom_add_with_fields", method: "POST", path: "/crm/v8/users", token: "admin", changes: true,
			before: func(t *testing.T, f *usersFixture) {
				addField("Employee Number", "number")(t, f)
				addField("Team", "picklist", "North", "South")(t, f)
				addField("Badge Budget", "currency")(t, f)
				addField("Remote", "checkbox")(t, f)
			},
			body: `{"users":[{"last_name":"Field","email":"field@example.com","role":"{role:Manager}","profile":"{profile:Sales}","Employee_Number":4711,"Team":"south","Badge_Budget":12.5,"Remote":true}]}`},
		{name: "custom_get_with_fields", method: "GET", path: "/crm/v8/users/search?criteria=(Team:equals:South)", token: "admin"},
		{name: "custom_number_too_long", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"Employee_Number":1234567890}]}`},
		{name: "custom_number_not_integer", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"Employee_Number":"12"}]}`},
		{name: "custom_currency_decimals", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"Badge_Budget":1.005}]}`},
		{name: "custom_checkbox_not_bool", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"Remote":"yes"}]}`},
		{name: "custom_picklist_value", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"Team":"West"}]}`},
		{name: "fields_metadata", method: "GET", path: "/crm/v8/settings/fields?module=users", token: "admin"},
		{name: "fields_missing_module", method: "GET", path: "/crm/v8/settings/fields", token: "admin"},
		{name: "fields_other_module", method: "GET", path: "/crm/v8/settings/fields?module=Leads", token: "admin"},

		// PUT /users/{id} and PUT /users
		{name: "update_one", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", changes: true,
			body: `{"users":[{"city":"Lagos","phone":"+234 1 555 0100","Reporting_To":"{patricia}"}]}`},
		{name: "update_clear_field", method: "PUT", path: "/crm/v8/users", token: "admin", changes: true, body: `{"users":[{"id":"{grace}","city":null}]}`},
		{name: "update_bulk_mixed_v8", method: "PUT", path: "/crm/v8/users", token: "admin", changes: true,
			body: `{"users":[{"id":"{grace}","city":"Abuja"},{"id":"1111111111111111111","city":"X"},{"city":"no id"},"not an object",{"id":"{chloe}","city":"Y"}]}`},
		{name: "update_bulk_mixed_v7", method: "PUT", path: "/crm/v7/users", token: "admin", changes: true,
			body: `{"users":[{"id":"{grace}","city":"Kano"},{"id":"{oliver}","city":"X"}]}`},
		{name: "update_bulk_all_fail", method: "PUT", path: "/crm/v8/users", token: "admin",
			body: `{"users":[{"id":"{oliver}","city":"X"},{"id":"{chloe}","city":"Y"}]}`},
		{name: "update_over_100", method: "PUT", path: "/crm/v8/users", token: "admin", body: `{"users":[` + strings.Join(many, ",") + `]}`},
		{name: "update_url_id_two_records", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"city":"A"},{"city":"B"}]}`},
		{name: "update_unknown_id_v8", method: "PUT", path: "/crm/v8/users/1111111111111111111", token: "admin", body: `{"users":[{"city":"Lyon"}]}`},
		{name: "update_malformed_id", method: "PUT", path: "/crm/v8/users/12ab", token: "admin", body: `{"users":[{"city":"Lyon"}]}`},
		{name: "update_deleted_user", method: "PUT", path: "/crm/v8/users/{chloe}", token: "admin", body: `{"users":[{"city":"Lyon"}]}`},
		{name: "update_deactivated_user", method: "PUT", path: "/crm/v8/users/{oliver}", token: "admin", body: `{"users":[{"city":"Lyon"}]}`},
		{name: "update_activate", method: "PUT", path: "/crm/v8/users/{oliver}", token: "admin", changes: true, body: `{"users":[{"status":"active","city":"Bremen"}]}`},
		{name: "update_already_active", method: "PUT", path: "/crm/v8/users/{oliver}", token: "admin", body: `{"users":[{"status":"active"}]}`},
		{name: "update_deactivate", method: "PUT", path: "/crm/v8/users/{oliver}", token: "admin", changes: true, body: `{"users":[{"status":"inactive"}]}`},
		{name: "update_already_deactivated", method: "PUT", path: "/crm/v8/users/{oliver}", token: "admin", body: `{"users":[{"status":"inactive"}]}`},
		{name: "update_activate_without_licence", method: "PUT", path: "/crm/v8/users/{oliver}", token: "admin", body: `{"users":[{"status":"active"}]}`, before: setLicences(-1)},
		{name: "update_bad_status", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"status":"disabled"}]}`, before: setLicences(100)},
		{name: "update_deactivate_primary_contact", method: "PUT", path: "/crm/v8/users/{admin}", token: "admin", body: `{"users":[{"status":"inactive"}]}`},
		{name: "update_time_zone_of_another_user", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"time_zone":"Africa/Lagos"}]}`},
		{name: "update_own_time_zone", method: "PUT", path: "/crm/v8/users/{admin}", token: "admin", changes: true, body: `{"users":[{"time_zone":"Europe/Paris"}]}`},
		{name: "update_bad_time_zone", method: "PUT", path: "/crm/v8/users/{admin}", token: "admin", body: `{"users":[{"time_zone":"Mars/Olympus"}]}`},
		{name: "update_email_of_confirmed_user", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"email":"grace@example.com"}]}`},
		{name: "update_email_of_unconfirmed_user", method: "PUT", path: "/crm/v8/users/{priya}", token: "admin", changes: true, body: `{"users":[{"email":"priya@example.com"}]}`},
		{name: "update_email_duplicate", method: "PUT", path: "/crm/v8/users/{priya}", token: "admin", body: `{"users":[{"email":"Grace.Nwosu@example.com"}]}`},
		{name: "update_own_profile", method: "PUT", path: "/crm/v8/users/{admin}", token: "admin", body: `{"users":[{"profile":"{profile:Standard}"}]}`},
		{name: "update_primary_contact_profile", method: "PUT", path: "/crm/v8/users/{admin}", token: "arjun",
			body: `{"users":[{"profile":"{profile:Standard}"}]}`},
		{name: "update_reporting_to_self", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", body: `{"users":[{"Reporting_To":"{grace}"}]}`},
		{name: "update_no_manage_users", method: "PUT", path: "/crm/v8/users/{grace}", token: "sales", body: `{"users":[{"city":"X"}]}`},
		{name: "update_echo_of_get", method: "PUT", path: "/crm/v8/users/{grace}", token: "admin", changes: true,
			body: `{"users":[{"id":"{grace}","status":"active","full_name":"Grace Nwosu","confirm":true,"created_time":"2020-01-01T00:00:00+00:00","city":"Ibadan"}]}`},

		// DELETE
		{name: "delete_user", method: "DELETE", path: "/crm/v8/users/{marcus}", token: "admin", changes: true},
		{name: "delete_body_form", method: "DELETE", path: "/crm/v8/users", token: "admin", changes: true, body: `{"users":[{"id":"{priya}"}]}`},
		{name: "delete_unknown_v8", method: "DELETE", path: "/crm/v8/users/1111111111111111111", token: "admin"},
		{name: "delete_malformed_id", method: "DELETE", path: "/crm/v8/users/-1", token: "admin"},
		{name: "delete_no_manage_users", method: "DELETE", path: "/crm/v8/users/{grace}", token: "sales"},
		{name: "delete_scope_mismatch", method: "DELETE", path: "/crm/v8/users/{grace}", token: "read"},
	})
}

func emails(t *testing.T, resp *http.Response) []string {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	var body struct {
		Users []struct{ Email string } `json:"users"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("%d %s: %v", resp.StatusCode, b, err)
	}
	var out []string
	for _, u := range body.Users {
		out = append(out, strings.TrimSuffix(u.Email, "@example.com"))
	}
	sort.Strings(out)
	return out
}

// TestUserTypes checks each of the 10 types against the demo org's users,
// and that count agrees with the list.
func TestUserTypes(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	ctx := context.Background()
	// Delete one user, so DeletedUsers has one.
	if err := f.env.Svc.DeleteUser(ctx, f.env.Admin, f.env.User(t, supportUser).ID); err != nil {
		t.Fatal(err)
	}
	all := emails(t, f.env.Do(t, "GET", "/crm/v8/users", f.tokens["admin"], ""))
	if len(all) != 23 {
		t.Fatalf("AllUsers: %d users, want 23 (24 less the deleted one): %v", len(all), all)
	}
	want := map[string][]string{
		"ActiveUsers":           without(all, "oliver.brandt"),
		"DeactiveUsers":         {"oliver.brandt"},
		"ConfirmedUsers":        without(all, "priya.raman"),
		"NotConfirmedUsers":     {"priya.raman"},
		"DeletedUsers":          {"chloe.dubois"},
		"ActiveConfirmedUsers":  without(all, "oliver.brandt", "priya.raman"),
		"AdminUsers":            {"admin", "arjun.mehta"},
		"ActiveConfirmedAdmins": {"admin", "arjun.mehta"},
		"CurrentUser":           {"patricia.boyle"},
		"AllUsers":              all,
	}
	for typ, w := range want {
		tok := f.tokens["admin"]
		if typ == "CurrentUser" {
			tok = f.tokens["sales"]
		}
		got := emails(t, f.env.Do(t, "GET", "/crm/v8/users?type="+typ, tok, ""))
		if strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("%s: got %v, want %v", typ, got, w)
		}
		resp := f.env.Do(t, "GET", "/crm/v8/users/actions/count?type="+typ, tok, "")
		var c struct{ Count int }
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || c.Count != len(w) {
			t.Errorf("count %s: %d (%v), want %d", typ, c.Count, err, len(w))
		}
		resp.Body.Close()
	}
	// Deactivating the admin Arjun moves him out of the active admin types
	// on the very next request.
	arjun := f.env.User(t, "arjun.mehta@example.com").ID
	resp := f.env.Do(t, "PUT", fmt.Sprintf("/crm/v8/users/%d", arjun), f.tokens["admin"], `{"users":[{"status":"inactive"}]}`)
	resp.Body.Close()
	if got := emails(t, f.env.Do(t, "GET", "/crm/v8/users?type=ActiveConfirmedAdmins", f.tokens["admin"], "")); strings.Join(got, " ") != "admin" {
		t.Errorf("after deactivating arjun: %v", got)
	}
}

func without(list []string, drop ...string) []string {
	var out []string
	for _, s := range list {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}
