package zohoapi_test

import (
	"context"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestRolesScenarios pins the Roles API in golden files under
// testdata/roles: every endpoint and the errors of Zoho's Roles API pages
// (get-roles, create-role, update-role and transfer-users-and-delete-role
// under https://www.zoho.com/crm/developer/docs/api/v8/), and the rules of
// the tree: the top role (CEO) reports to none and cannot be deleted, no
// role reports to itself or to one below it, and a deleted role's users and
// sub-roles move to transfer_to_id.
func TestRolesScenarios(t *testing.T) {
	testenv.EachBackend(t, rolesScenarios)
}

func rolesScenarios(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
	f.tokens["admin"] = f.env.Token(t, "", "ZohoCRM.settings.roles.ALL,ZohoCRM.users.READ")
	f.tokens["sales"] = f.env.Token(t, salesUser, "ZohoCRM.settings.ALL") // no Manage_Roles
	f.tokens["readonly"] = f.env.Token(t, "", "ZohoCRM.settings.roles.READ")
	addRule := func(t *testing.T, f *usersFixture) {
		if _, err := f.env.Svc.AddIPRule(context.Background(), f.env.Admin, service.IPRuleInput{Range: "10.0.0.0/8", AppliesTo: crmguard.IPRuleRole, Target: "Support Agent"}); err != nil {
			t.Fatal(err)
		}
	}
	f.run(t, []scenario{
		{name: "roles/list", method: "GET", path: "/crm/v8/settings/roles", token: "admin"},
		{name: "roles/get_manager", method: "GET", path: "/crm/v2/settings/roles/{role:Manager}", token: "readonly"},
		{name: "roles/get_unknown", method: "GET", path: "/crm/v8/settings/roles/1111111111111111111", token: "admin"},
		{name: "roles/get_malformed", method: "GET", path: "/crm/v8/settings/roles/abc", token: "admin"},
		{name: "roles/list_scope_mismatch", method: "GET", path: "/crm/v8/settings/roles", token: "org"},

		{name: "roles/add", method: "POST", path: "/crm/v8/settings/roles", token: "admin", changes: true,
			body: `{"roles":[{"name":"Product Manager","reporting_to":"{role:Manager}","description":"Owns the roadmap","share_with_peers":true}]}`},
		{name: "roles/add_mixed", method: "POST", path: "/crm/v8/settings/roles", token: "admin", changes: true,
			body: `{"roles":[{"name":"Team Lead","reporting_to":{"id":"{role:Sales Rep}"},"forecast_manager":"{patricia}"},{"name":"product manager","reporting_to":"{role:CEO}"},{"reporting_to":"{role:CEO}"},{"name":"X"},{"name":"Bad #1","reporting_to":"{role:CEO}"},{"name":"Y","reporting_to":"1111111111111111111"},{"name":"Z","reporting_to":"{role:CEO}","share_with_peers":"yes"}]}`},
		{name: "roles/add_all_fail", method: "POST", path: "/crm/v8/settings/roles", token: "admin", body: `{"roles":[{"name":"CEO","reporting_to":"{role:Manager}"}]}`},
		{name: "roles/add_no_permission", method: "POST", path: "/crm/v8/settings/roles", token: "sales", body: `{"roles":[{"name":"A","reporting_to":"{role:CEO}"}]}`},
		{name: "roles/add_scope_mismatch", method: "POST", path: "/crm/v8/settings/roles", token: "readonly", body: `{"roles":[{"name":"A","reporting_to":"{role:CEO}"}]}`},
		{name: "roles/add_not_json", method: "POST", path: "/crm/v8/settings/roles", token: "admin", body: `{"roles":`},
		{name: "roles/add_no_roles_key", method: "POST", path: "/crm/v8/settings/roles", token: "admin", body: `{}`},

		{name: "roles/update_one", method: "PUT", path: "/crm/v8/settings/roles/{role:Sales Rep}", token: "admin", changes: true,
			body: `{"roles":[{"name":"Account Executive","description":"Closes deals"}]}`},
		{name: "roles/update_move", method: "PUT", path: "/crm/v8/settings/roles", token: "admin", changes: true,
			body: `{"roles":[{"id":"{role:Support Agent}","reporting_to":"{role:CEO}"}]}`},
		{name: "roles/update_cycle", method: "PUT", path: "/crm/v8/settings/roles", token: "admin",
			body: `{"roles":[{"id":"{role:Manager}","reporting_to":"{role:Sales Rep}"}]}`},
		{name: "roles/update_to_itself", method: "PUT", path: "/crm/v8/settings/roles/{role:Manager}", token: "admin", body: `{"roles":[{"reporting_to":"{role:Manager}"}]}`},
		{name: "roles/update_top_role", method: "PUT", path: "/crm/v8/settings/roles/{role:CEO}", token: "admin", body: `{"roles":[{"reporting_to":"{role:Manager}"}]}`},
		{name: "roles/update_mixed_v8", method: "PUT", path: "/crm/v8/settings/roles", token: "admin", changes: true,
			body: `{"roles":[{"id":"{role:CEO}","description":"The top"},{"id":"1111111111111111111","name":"Ghost"},{"name":"No id"},{"id":"{role:Manager}","name":"ceo"}]}`},
		{name: "roles/update_mixed_v6", method: "PUT", path: "/crm/v6/settings/roles", token: "admin", changes: true,
			body: `{"roles":[{"id":"{role:CEO}","share_with_peers":false},{"id":"{role:Manager}","forecast_manager":"1111111111111111111"}]}`},
		{name: "roles/update_no_permission", method: "PUT", path: "/crm/v8/settings/roles/{role:Manager}", token: "sales", body: `{"roles":[{"name":"X"}]}`},

		{name: "roles/delete_missing_transfer", method: "DELETE", path: "/crm/v8/settings/roles/{role:Manager}", token: "admin"},
		{name: "roles/delete_top_role", method: "DELETE", path: "/crm/v8/settings/roles/{role:CEO}?transfer_to_id={role:Manager}", token: "admin"},
		{name: "roles/delete_transfer_below", method: "DELETE", path: "/crm/v8/settings/roles/{role:Manager}?transfer_to_id={role:Sales Rep}", token: "admin"},
		{name: "roles/delete_unknown", method: "DELETE", path: "/crm/v8/settings/roles/1111111111111111111?transfer_to_id={role:CEO}", token: "admin"},
		{name: "roles/delete_named_by_ip_rule", method: "DELETE", path: "/crm/v8/settings/roles/{role:Support Agent}?transfer_to_id={role:CEO}", token: "admin", before: addRule},
		{name: "roles/delete_no_permission", method: "DELETE", path: "/crm/v8/settings/roles/{role:Manager}?transfer_to_id={role:CEO}", token: "sales"},
		{name: "roles/delete_manager", method: "DELETE", path: "/crm/v8/settings/roles/{role:Manager}?transfer_to_id={role:CEO}", token: "admin", changes: true},
		{name: "roles/after_delete", method: "GET", path: "/crm/v8/settings/roles", token: "admin"},
	})
	// Patricia was a Manager: she is under CEO now.
	u := f.env.User(t, salesUser)
	if u.RoleID.String() != f.refs["role:CEO"] {
		t.Errorf("Patricia's role after the delete: %s", u.RoleID)
	}
}
