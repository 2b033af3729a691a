package zohoapi_test

import (
	"context"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestUserGroupsScenarios pins the User Groups API in golden files under
// testdata/user_groups: every endpoint on v4, the first version Zoho
// documents it on (v5 for a user's associated groups), and on v8, and the
// errors of Zoho's pages (get-user-groups, create-user-group,
// update-user-group, delete-user-group, get-sources-by-type,
// get-sources-count and associated-groups-of-a-user under
// https://www.zoho.com/crm/developer/docs/api/v8/). Where zoho/crm-oas
// v8.0/user_groups.json differs from a page the page wins: DELETE answers
// "Group deleted", not a SCHEDULED job, and include=sources_count has the
// page's {territories, roles, users} with users a number.
func TestUserGroupsScenarios(t *testing.T) {
	testenv.EachBackend(t, userGroupsScenarios)
}

func userGroupsScenarios(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
	f.tokens["readonly"] = f.env.Token(t, "", "ZohoCRM.settings.user_groups.READ,ZohoCRM.users.READ")
	f.tokens["groupsonly"] = f.env.Token(t, "", "ZohoCRM.settings.user_groups.READ") // no ZohoCRM.users.READ
	refresh := func(t *testing.T, f *usersFixture) {
		gs, err := f.env.Svc.ListUserGroups(context.Background(), f.env.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			f.refs["group:"+g.Name] = g.ID.String()
		}
	}
	sales := `{"user_groups":[{"name":"Sales Team","description":"Field sales","sources":[{"type":"users","source":{"name":"Patricia Boyle","id":"{patricia}"}},{"type":"roles","source":{"id":"{role:Manager}"},"subordinates":true}]}]}`
	cases := []scenario{
		{name: "user_groups/list_none", method: "GET", path: "/crm/v8/settings/user_groups", token: "admin"},
		{name: "user_groups/associated_none", method: "GET", path: "/crm/v8/users/{chloe}/actions/associated_groups", token: "readonly"},
		{name: "user_groups/list_v3_not_served", method: "GET", path: "/crm/v3/settings/user_groups", token: "admin"},

		{name: "user_groups/add_v4", method: "POST", path: "/crm/v4/settings/user_groups", token: "admin", changes: true, body: sales},
		{name: "user_groups/add_v8", method: "POST", path: "/crm/v8/settings/user_groups", token: "admin", changes: true,
			body: `{"user_groups":[{"name":"Support","sources":[{"type":"users","source":{"id":"{grace}"}}]}]}`},
		{name: "user_groups/add_duplicate_name", method: "POST", path: "/crm/v8/settings/user_groups", token: "admin",
			body: `{"user_groups":[{"name":"sales team","sources":[{"type":"users","source":{"id":"{grace}"}}]}]}`},
		{name: "user_groups/add_mixed", method: "POST", path: "/crm/v8/settings/user_groups", token: "admin", changes: true,
			body: `{"user_groups":[{"name":"Leads","sources":[{"type":"roles","source":"{role:CEO}"}]},{"sources":[{"type":"users","source":{"id":"{grace}"}}]},{"name":"No sources"},{"name":"Territory","sources":[{"type":"territories","source":{"id":"{role:CEO}"}}]},{"name":"Ghost","sources":[{"type":"users","source":{"id":"1111111111111111111"}}]},{"name":"No type","sources":[{"source":{"id":"{grace}"}}]},{"name":"Bad","sources":"all"},{"name":7,"sources":[]},"x"]}`},
		{name: "user_groups/add_v6_all_fail", method: "POST", path: "/crm/v6/settings/user_groups", token: "admin",
			body: `{"user_groups":[{"name":"Empty","sources":[]}]}`},
		{name: "user_groups/add_not_json", method: "POST", path: "/crm/v8/settings/user_groups", token: "admin", body: `{"user_groups":`},
		{name: "user_groups/add_no_key", method: "POST", path: "/crm/v8/settings/user_groups", token: "admin", body: `{}`},
		{name: "user_groups/add_no_permission", method: "POST", path: "/crm/v8/settings/user_groups", token: "sales", body: sales},
		{name: "user_groups/add_scope_mismatch", method: "POST", path: "/crm/v8/settings/user_groups", token: "readonly", body: sales},

		{name: "user_groups/list_v4", method: "GET", path: "/crm/v4/settings/user_groups", token: "readonly"},
		{name: "user_groups/list_v8_sources_count", method: "GET", path: "/crm/v8/settings/user_groups?include=sources_count", token: "readonly"},
		{name: "user_groups/list_by_name", method: "GET", path: "/crm/v8/settings/user_groups?name=SALES%20TEAM", token: "admin"},
		{name: "user_groups/list_per_page_1", method: "GET", path: "/crm/v8/settings/user_groups?per_page=1&page=2", token: "admin"},
		{name: "user_groups/list_bad_include", method: "GET", path: "/crm/v8/settings/user_groups?include=everything", token: "admin"},
		{name: "user_groups/list_per_page_201", method: "GET", path: "/crm/v8/settings/user_groups?per_page=201", token: "admin"},
		{name: "user_groups/list_scope_mismatch", method: "GET", path: "/crm/v8/settings/user_groups", token: "org"},

		{name: "user_groups/get_v4", method: "GET", path: "/crm/v4/settings/user_groups/{group:Sales Team}", token: "readonly"},
		{name: "user_groups/get_v8", method: "GET", path: "/crm/v8/settings/user_groups/{group:Support}?include=sources_count", token: "readonly"},
		{name: "user_groups/get_unknown", method: "GET", path: "/crm/v8/settings/user_groups/1111111111111111111", token: "admin"},
		{name: "user_groups/get_malformed", method: "GET", path: "/crm/v8/settings/user_groups/abc", token: "admin"},

		{name: "user_groups/sources_v4", method: "GET", path: "/crm/v4/settings/user_groups/{group:Sales Team}/sources", token: "readonly"},
		{name: "user_groups/sources_v8_roles", method: "GET", path: "/crm/v8/settings/user_groups/{group:Sales Team}/sources?type=roles", token: "readonly"},
		{name: "user_groups/sources_v8_active_users", method: "GET", path: "/crm/v8/settings/user_groups/{group:Sales Team}/sources?type=users&user_type=active", token: "readonly"},
		{name: "user_groups/sources_territories_none", method: "GET", path: "/crm/v8/settings/user_groups/{group:Sales Team}/sources?type=territories", token: "readonly"},
		{name: "user_groups/sources_bad_type", method: "GET", path: "/crm/v8/settings/user_groups/{group:Sales Team}/sources?type=people", token: "readonly"},
		{name: "user_groups/sources_bad_user_type", method: "GET", path: "/crm/v8/settings/user_groups/{group:Sales Team}/sources?user_type=gone", token: "readonly"},
		{name: "user_groups/sources_unknown_group", method: "GET", path: "/crm/v8/settings/user_groups/1111111111111111111/sources", token: "readonly"},
		{name: "user_groups/sources_count_v4", method: "GET", path: "/crm/v4/settings/user_groups/{group:Sales Team}/actions/sources_count", token: "readonly"},
		{name: "user_groups/sources_count_v8", method: "GET", path: "/crm/v8/settings/user_groups/{group:Support}/actions/sources_count", token: "readonly"},
		{name: "user_groups/sources_count_unknown", method: "GET", path: "/crm/v8/settings/user_groups/1111111111111111111/actions/sources_count", token: "readonly"},

		// Marcus is a Manager: in Sales Team through its role source.
		{name: "user_groups/associated_v5_direct", method: "GET", path: "/crm/v5/users/{patricia}/actions/associated_groups", token: "readonly"},
		{name: "user_groups/associated_v8_through_role", method: "GET", path: "/crm/v8/users/{marcus}/actions/associated_groups", token: "readonly"},
		{name: "user_groups/associated_unknown_user", method: "GET", path: "/crm/v8/users/1111111111111111111/actions/associated_groups", token: "readonly"},
		{name: "user_groups/associated_without_users_scope", method: "GET", path: "/crm/v8/users/{patricia}/actions/associated_groups", token: "groupsonly"},
		{name: "user_groups/associated_v4_not_served", method: "GET", path: "/crm/v4/users/{patricia}/actions/associated_groups", token: "readonly"},

		{name: "user_groups/update_v8_one", method: "PUT", path: "/crm/v8/settings/user_groups/{group:Sales Team}", token: "admin", changes: true,
			body: `{"user_groups":[{"name":"Sales","sources":[{"type":"users","source":{"id":"{patricia}"},"_delete":true},{"type":"users","source":{"id":"{priya}"}}]}]}`},
		{name: "user_groups/update_v4_bulk", method: "PUT", path: "/crm/v4/settings/user_groups", token: "admin", changes: true,
			body: `{"user_groups":[{"id":"{group:Support}","description":"Second line"}]}`},
		{name: "user_groups/update_mixed_v8", method: "PUT", path: "/crm/v8/settings/user_groups", token: "admin", changes: true,
			body: `{"user_groups":[{"id":"{group:Support}","name":"Support Desk"},{"id":"1111111111111111111","name":"Ghost"},{"name":"No id"},{"id":"{group:Leads}","name":"sales"},{"id":"{group:Leads}","sources":[{"type":"roles","source":{"id":"{role:CEO}"},"_delete":true}]}]}`},
		{name: "user_groups/update_name_too_long", method: "PUT", path: "/crm/v8/settings/user_groups/{group:Leads}", token: "admin",
			body: `{"user_groups":[{"name":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}`},
		{name: "user_groups/update_unknown_url_id", method: "PUT", path: "/crm/v8/settings/user_groups/1111111111111111111", token: "admin", body: `{"user_groups":[{"name":"X"}]}`},
		{name: "user_groups/update_no_permission", method: "PUT", path: "/crm/v8/settings/user_groups/{group:Leads}", token: "sales", body: `{"user_groups":[{"name":"X"}]}`},

		{name: "user_groups/delete_no_permission", method: "DELETE", path: "/crm/v8/settings/user_groups/{group:Leads}", token: "sales"},
		{name: "user_groups/delete_unknown", method: "DELETE", path: "/crm/v8/settings/user_groups/1111111111111111111", token: "admin"},
		{name: "user_groups/delete_scope_mismatch", method: "DELETE", path: "/crm/v8/settings/user_groups/{group:Leads}", token: "readonly"},
		{name: "user_groups/delete_v4", method: "DELETE", path: "/crm/v4/settings/user_groups/{group:Leads}", token: "admin", changes: true},
		{name: "user_groups/delete_v8", method: "DELETE", path: "/crm/v8/settings/user_groups/{group:Sales}", token: "admin", changes: true},
		{name: "user_groups/after_delete", method: "GET", path: "/crm/v8/settings/user_groups", token: "admin"},
	}
	for i := range cases {
		cases[i].before = refresh
	}
	f.run(t, cases)
}
