package zohoapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// seedTerritories gives the fixture org a territory tree: Zylker (the
// root) over North America (managed by Marcus, over Canada) and Europe.
func seedTerritories(t *testing.T, f *usersFixture) {
	t.Helper()
	ctx := context.Background()
	rw := crmguard.TerritoryReadWriteDelete
	add := func(name string, parent string, manager crmguard.ID) {
		in := service.TerritoryInput{Name: &name, PermissionType: &rw, Manager: &manager}
		if parent != "" {
			p, _ := crmguard.ParseID(f.refs["terr:"+parent])
			in.ReportingTo = &p
		}
		ids, res, err := f.env.Svc.AddTerritories(ctx, f.env.Admin, []service.TerritoryInput{in})
		if err != nil || res[0] != nil {
			t.Fatalf("territory %s: %v %v", name, err, res[0])
		}
		f.refs["terr:"+name] = ids[0].String()
	}
	add("Zylker", "", 0)
	add("North America", "Zylker", f.env.User(t, anotherSales).ID)
	add("Canada", "North America", 0)
	add("Europe", "Zylker", 0)
}

// TestTerritoriesScenarios pins the Territories API in golden files under
// testdata/territories, on the oldest and the newest version that serves
// each route: GET /settings/territories from v2
// (https://www.zoho.com/crm/developer/docs/api/v2/territories.html), its
// writes from v6 (v6/add-territories.html, v6/update-territories.html and
// the v8 pages beside them), with the tree's rules: the root reports to
// none and cannot be deleted, no territory reports to itself or one below
// it, and a territory with children stays until they go. Bodies follow
// zoho/crm-oas v8.0/territories.json.
func TestTerritoriesScenarios(t *testing.T) {
	testenv.EachBackend(t, territoriesScenarios)
}

func territoriesScenarios(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
	seedTerritories(t, f)
	f.tokens["terr"] = f.env.Token(t, "", "ZohoCRM.settings.territories.ALL")
	f.tokens["terr_read"] = f.env.Token(t, "", "ZohoCRM.settings.territories.READ")
	f.tokens["terr_sales"] = f.env.Token(t, salesUser, "ZohoCRM.settings.territories.ALL") // no Manage_Users
	const base = "/crm/v8/settings/territories"
	f.run(t, []scenario{
		{name: "territories/list_v2", method: "GET", path: "/crm/v2/settings/territories", token: "terr_read"},
		{name: "territories/list_v8", method: "GET", path: base, token: "terr"},
		{name: "territories/get_v2", method: "GET", path: "/crm/v2/settings/territories/{terr:North America}", token: "terr_read"},
		{name: "territories/get_v8", method: "GET", path: base + "/{terr:Canada}", token: "terr"},
		{name: "territories/get_unknown", method: "GET", path: base + "/1111111111111111111", token: "terr"},
		{name: "territories/get_malformed", method: "GET", path: base + "/abc", token: "terr"},
		{name: "territories/list_scope_mismatch", method: "GET", path: base, token: "read"},

		{name: "territories/add_v6", method: "POST", path: "/crm/v6/settings/territories", token: "terr", changes: true,
			body: `{"territories":[{"name":"Asia","reporting_to":{"id":"{terr:Zylker}"},"manager":{"id":"{patricia}"},"permission_type":"read_only","description":"APAC accounts"}]}`},
		{name: "territories/add_v8_mixed", method: "POST", path: base, token: "terr", changes: true,
			body: `{"territories":[{"name":"Mexico","reporting_to":"{terr:North America}","permission_type":"read_write_delete"},{"name":"europe","reporting_to":"{terr:Zylker}","permission_type":"read_only"},{"name":"A","permission_type":"read_only"},{"name":"B","reporting_to":"{terr:Zylker}"},{"name":"C","reporting_to":"{terr:Zylker}","permission_type":"all"},{"name":"D","reporting_to":"1111111111111111111","permission_type":"read_only"},{"name":"E","reporting_to":"{terr:Zylker}","permission_type":"read_only","manager":"1111111111111111111"},{"name":7,"reporting_to":"{terr:Zylker}","permission_type":"read_only"},"x",{"reporting_to":"{terr:Zylker}","permission_type":"read_only"}]}`},
		{name: "territories/add_all_fail", method: "POST", path: base, token: "terr", body: `{"territories":[{"name":"Zylker","reporting_to":"{terr:Europe}","permission_type":"read_only"}]}`},
		{name: "territories/add_v5", method: "POST", path: "/crm/v5/settings/territories", token: "terr", body: `{"territories":[{"name":"X","reporting_to":"{terr:Zylker}","permission_type":"read_only"}]}`},
		{name: "territories/add_no_permission", method: "POST", path: base, token: "terr_sales", body: `{"territories":[{"name":"X","reporting_to":"{terr:Zylker}","permission_type":"read_only"}]}`},
		{name: "territories/add_scope_mismatch", method: "POST", path: base, token: "terr_read", body: `{"territories":[{"name":"X","reporting_to":"{terr:Zylker}","permission_type":"read_only"}]}`},
		{name: "territories/add_not_json", method: "POST", path: base, token: "terr", body: `{"territories":`},
		{name: "territories/add_no_key", method: "POST", path: base, token: "terr", body: `{}`},

		{name: "territories/update_one_v8", method: "PUT", path: base + "/{terr:Europe}", token: "terr", changes: true,
			body: `{"territories":[{"name":"EMEA","description":"Europe, Middle East and Africa","manager":null}]}`},
		{name: "territories/update_move_v6", method: "PUT", path: "/crm/v6/settings/territories", token: "terr", changes: true,
			body: `{"territories":[{"id":"{terr:Canada}","reporting_to":{"id":"{terr:Zylker}"},"permission_type":"read_only"}]}`},
		{name: "territories/update_cycle", method: "PUT", path: base, token: "terr",
			body: `{"territories":[{"id":"{terr:Zylker}","reporting_to":"{terr:Europe}"},{"id":"{terr:North America}","reporting_to":"{terr:North America}"}]}`},
		{name: "territories/update_mixed_v8", method: "PUT", path: base, token: "terr", changes: true,
			body: `{"territories":[{"id":"{terr:Zylker}","description":"The org"},{"id":"1111111111111111111","name":"Ghost"},{"name":"No id"},{"id":"{terr:Canada}","name":"emea"}]}`},
		{name: "territories/update_v5", method: "PUT", path: "/crm/v5/settings/territories/{terr:Europe}", token: "terr", body: `{"territories":[{"name":"X"}]}`},
		{name: "territories/update_no_permission", method: "PUT", path: base + "/{terr:Europe}", token: "terr_sales", body: `{"territories":[{"name":"X"}]}`},

		{name: "territories/delete_root", method: "DELETE", path: base + "/{terr:Zylker}", token: "terr"},
		{name: "territories/delete_with_children", method: "DELETE", path: base + "/{terr:North America}", token: "terr",
			before: func(t *testing.T, f *usersFixture) {
				f.env.Do(t, "PUT", f.expand(t, base+"/{terr:Canada}"), f.tokens["terr"], f.expand(t, `{"territories":[{"reporting_to":"{terr:North America}"}]}`))
			}},
		{name: "territories/delete_unknown", method: "DELETE", path: base + "/1111111111111111111", token: "terr"},
		{name: "territories/delete_no_permission", method: "DELETE", path: base + "/{terr:Europe}", token: "terr_sales"},
		{name: "territories/delete_v5", method: "DELETE", path: "/crm/v5/settings/territories/{terr:Europe}", token: "terr"},
		{name: "territories/delete_v6", method: "DELETE", path: "/crm/v6/settings/territories/{terr:Canada}", token: "terr", changes: true},
		{name: "territories/delete_v8", method: "DELETE", path: base + "/{terr:Europe}", token: "terr", changes: true},
		{name: "territories/after_delete", method: "GET", path: base, token: "terr"},
	})
}

// TestUserTerritoriesScenarios pins the territories of a user, under
// testdata/territories/user_*: GET and PUT from v3
// (https://www.zoho.com/crm/developer/docs/api/v3/get-user-territories.html,
// v3/add-update-user-territories.html), DELETE from v6
// (v6/remove-territories-from-user.html), and the v8 pages beside them;
// zoho/crm-oas v8.0/users_territories.json for the bodies.
func TestUserTerritoriesScenarios(t *testing.T) {
	testenv.EachBackend(t, userTerritoriesScenarios)
}

func userTerritoriesScenarios(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
	seedTerritories(t, f)
	f.tokens["users_all"] = f.env.Token(t, "", "ZohoCRM.users.ALL") // no territories scope
	f.tokens["terr_only"] = f.env.Token(t, "", "ZohoCRM.settings.territories.ALL")
	many := make([]string, 101)
	for i := range many {
		many[i] = `{"id":"{terr:Europe}"}`
	}
	const u = "/crm/v8/users/{patricia}/territories"
	f.run(t, []scenario{
		{name: "territories/user_get_none", method: "GET", path: "/crm/v3/users/{grace}/territories", token: "admin"},
		{name: "territories/user_put_v3", method: "PUT", path: "/crm/v3/users/{patricia}/territories", token: "admin", changes: true,
			body: `{"territories":[{"id":"{terr:North America}"},{"id":"{terr:Europe}"}]}`},
		{name: "territories/user_get_v3", method: "GET", path: "/crm/v3/users/{patricia}/territories", token: "read"},
		{name: "territories/user_get_v8", method: "GET", path: u, token: "admin"},
		{name: "territories/user_get_one_v3", method: "GET", path: "/crm/v3/users/{patricia}/territories/{terr:North America}", token: "read"},
		{name: "territories/user_get_one_v8", method: "GET", path: u + "/{terr:Europe}", token: "admin"},
		{name: "territories/user_get_one_not_linked", method: "GET", path: u + "/{terr:Canada}", token: "admin"},
		{name: "territories/user_get_unknown_user", method: "GET", path: "/crm/v8/users/1111111111111111111/territories", token: "admin"},
		{name: "territories/user_get_v2", method: "GET", path: "/crm/v2/users/{patricia}/territories", token: "admin"},
		{name: "territories/user_get_territories_scope", method: "GET", path: u, token: "terr_only"},

		{name: "territories/user_put_v8_mixed", method: "PUT", path: u, token: "admin", changes: true,
			body: `{"territories":[{"id":"{terr:Canada}"},{"id":"{terr:Europe}"},{"id":"1111111111111111111"},{},{"id":"x1"},"x"]}`},
		{name: "territories/user_put_limit", method: "PUT", path: u, token: "admin", body: `{"territories":[` + strings.Join(many, ",") + `]}`},
		{name: "territories/user_put_own", method: "PUT", path: "/crm/v8/users/{admin}/territories", token: "admin", body: `{"territories":[{"id":"{terr:Europe}"}]}`},
		{name: "territories/user_put_unknown_user", method: "PUT", path: "/crm/v8/users/1111111111111111111/territories", token: "admin", body: `{"territories":[{"id":"{terr:Europe}"}]}`},
		{name: "territories/user_put_no_permission", method: "PUT", path: "/crm/v8/users/{grace}/territories", token: "sales", body: `{"territories":[{"id":"{terr:Europe}"}]}`},
		{name: "territories/user_put_scope_mismatch", method: "PUT", path: u, token: "read", body: `{"territories":[{"id":"{terr:Europe}"}]}`},
		{name: "territories/user_put_not_json", method: "PUT", path: u, token: "admin", body: `{"territories":[`},
		{name: "territories/user_put_manager", method: "PUT", path: "/crm/v8/users/{marcus}/territories", token: "admin", changes: true,
			body: `{"territories":[{"id":"{terr:North America}"}]}`},

		{name: "territories/user_delete_one_v6", method: "DELETE", path: "/crm/v6/users/{patricia}/territories/{terr:Europe}", token: "admin", changes: true},
		{name: "territories/user_delete_v8_mixed", method: "DELETE", path: u + "?ids={terr:North America},{terr:Zylker},1111111111111111111,{terr:Europe}", token: "admin", changes: true},
		{name: "territories/user_delete_manager", method: "DELETE", path: "/crm/v8/users/{marcus}/territories/{terr:North America}", token: "admin"},
		{name: "territories/user_delete_no_ids", method: "DELETE", path: u, token: "admin"},
		{name: "territories/user_delete_bad_ids", method: "DELETE", path: u + "?ids=abc", token: "admin"},
		{name: "territories/user_delete_one_scope", method: "DELETE", path: u + "/{terr:Canada}", token: "users_all"},
		{name: "territories/user_delete_v5", method: "DELETE", path: "/crm/v5/users/{patricia}/territories/{terr:Canada}", token: "admin"},
		{name: "territories/user_after", method: "GET", path: u, token: "admin"},
	})
}
