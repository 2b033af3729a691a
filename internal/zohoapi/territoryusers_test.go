package zohoapi_test

import (
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestTerritoryUsersScenarios pins the users of a territory, under
// testdata/territories/users_*: GET, PUT and DELETE
// /settings/territories/{id}/users[/{user_id}] from v5
// (https://www.zoho.com/crm/developer/docs/api/v5/get-user-territory.html,
// v5/associate-users-territory.html; v7/disassociate-users-territory.html
// and the v8 pages), on v5 and v8. A member already is DUPLICATE_DATA on
// v5 to v7 and ALREADY_EXISTS on v8, as each version's page says.
func TestTerritoryUsersScenarios(t *testing.T) {
	testenv.EachBackend(t, territoryUsersScenarios)
}

func territoryUsersScenarios(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
	seedTerritories(t, f)
	f.tokens["terr_only"] = f.env.Token(t, "", "ZohoCRM.settings.territories.ALL")
	f.tokens["terr_update"] = f.env.Token(t, "", "ZohoCRM.settings.territories.UPDATE")
	const v8 = "/crm/v8/settings/territories/{terr:Europe}/users"
	f.run(t, []scenario{
		{name: "territories/users_get_none", method: "GET", path: "/crm/v5/settings/territories/{terr:Europe}/users", token: "read"},
		{name: "territories/users_put_v5", method: "PUT", path: "/crm/v5/settings/territories/{terr:Europe}/users", token: "admin", changes: true,
			body: `{"users":[{"id":"{patricia}"},{"id":"{grace}"}]}`},
		{name: "territories/users_put_one_v8", method: "PUT", path: v8 + "/{chloe}", token: "admin", changes: true},
		{name: "territories/users_get_v5", method: "GET", path: "/crm/v5/settings/territories/{terr:Europe}/users", token: "read"},
		{name: "territories/users_get_v8", method: "GET", path: v8, token: "admin"},
		{name: "territories/users_get_one_v8", method: "GET", path: v8 + "/{grace}", token: "read"},
		{name: "territories/users_get_one_not_member", method: "GET", path: v8 + "/{marcus}", token: "read"},
		{name: "territories/users_get_unknown_territory", method: "GET", path: "/crm/v8/settings/territories/1111111111111111111/users", token: "read"},
		{name: "territories/users_get_v4", method: "GET", path: "/crm/v4/settings/territories/{terr:Europe}/users", token: "read"},

		{name: "territories/users_put_v5_mixed", method: "PUT", path: "/crm/v5/settings/territories/{terr:Europe}/users", token: "admin", changes: true,
			body: `{"users":[{"id":"{marcus}"},{"id":"{patricia}"},{"id":"1111111111111111111"},{"id":"{oliver}"},{},{"id":"x"},7]}`},
		{name: "territories/users_put_v8_already", method: "PUT", path: v8, token: "admin", body: `{"users":[{"id":"{patricia}"}]}`},
		{name: "territories/users_put_unknown_territory", method: "PUT", path: "/crm/v8/settings/territories/1111111111111111111/users", token: "admin", body: `{"users":[{"id":"{patricia}"}]}`},
		{name: "territories/users_put_no_users_scope", method: "PUT", path: v8, token: "terr_update", body: `{"users":[{"id":"{priya}"}]}`},
		{name: "territories/users_put_no_permission", method: "PUT", path: v8, token: "sales", body: `{"users":[{"id":"{priya}"}]}`},
		{name: "territories/users_put_no_key", method: "PUT", path: v8, token: "admin", body: `{}`},

		{name: "territories/users_delete_one_v5", method: "DELETE", path: "/crm/v5/settings/territories/{terr:Europe}/users/{chloe}", token: "admin", changes: true},
		{name: "territories/users_delete_v8_mixed", method: "DELETE", path: v8 + "?ids={grace},{chloe},1111111111111111111", token: "terr_only", changes: true},
		{name: "territories/users_delete_root", method: "DELETE", path: "/crm/v8/settings/territories/{terr:Zylker}/users/{patricia}", token: "admin"},
		{name: "territories/users_delete_no_ids", method: "DELETE", path: v8, token: "admin"},
		{name: "territories/users_delete_no_users_scope", method: "DELETE", path: v8 + "?ids={patricia}", token: "terr_update"},
		{name: "territories/users_delete_v4", method: "DELETE", path: "/crm/v4/settings/territories/{terr:Europe}/users/{patricia}", token: "admin"},
		{name: "territories/users_after", method: "GET", path: v8, token: "admin"},
	})
}
