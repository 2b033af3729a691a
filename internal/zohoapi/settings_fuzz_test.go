package zohoapi_test

import (
	"context"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

var settingsRoutes = []struct{ method, path string }{
	{"GET", "/crm/v8/settings/profiles"}, {"GET", "/crm/v8/settings/profiles/{id}"},
	{"POST", "/crm/v8/settings/profiles/{id}/actions/clone"}, {"PUT", "/crm/v8/settings/profiles/{id}"},
	{"DELETE", "/crm/v8/settings/profiles/{id}"}, {"PUT", "/crm/v2/settings/profiles/{id}"},
	{"GET", "/crm/v8/settings/roles/{id}"}, {"POST", "/crm/v8/settings/roles"}, {"PUT", "/crm/v8/settings/roles"},
	{"PUT", "/crm/v8/settings/roles/{id}"}, {"DELETE", "/crm/v8/settings/roles/{id}"},
}

// FuzzSettingsAPI sends fuzzed profile and role requests to the real stack: no
// input may answer 500, and a refused request (4xx) must change nothing:
// an update is all or nothing.
func FuzzSettingsAPI(f *testing.F) {
	env := testenv.New(f, testenv.Options{Demo: true})
	tok := env.Token(f, "", "ZohoCRM.settings.ALL")
	ctx := context.Background()
	ps, err := env.Svc.ListProfiles(ctx, env.Org.ID)
	if err != nil {
		f.Fatal(err)
	}
	ids, err := env.Svc.PermissionIDs(ctx, env.Org.ID)
	if err != nil {
		f.Fatal(err)
	}
	prof := map[string]string{}
	for _, p := range ps {
		prof[p.Name] = p.ID.String()
	}
	roles, err := env.Svc.ListRoles(ctx, env.Org.ID)
	if err != nil {
		f.Fatal(err)
	}
	role := map[string]string{}
	for _, r := range roles {
		role[r.Name] = r.ID.String()
	}
	api, _ := crmguard.PermissionIndex(crmguard.PermAPIAccess)
	perm := ids[api].String()
	seeds := []struct {
		route       uint8
		id, q, body string
	}{
		{0, "", "include_lite_profile=false", ""},
		{1, prof["Sales"], "", ""},
		{2, prof["Sales"], "", `{"profiles":[{"name":"Fuzz","description":"d"}]}`},
		{2, prof["Standard"], "", `{"profiles":[{"name":null},{"name":1}]}`},
		{3, prof["Standard"], "", `{"profiles":[{"permissions_details":[{"id":"` + perm + `","enabled":true},{"id":"1","enabled":false}]}]}`},
		{3, prof["Support"], "", `{"profiles":[{"name":"Sales","permissions_details":[{"id":` + perm + `,"enabled":"x"}]}]}`},
		{4, prof["Support"], "transfer_to=" + prof["Standard"], ""},
		{4, prof["Standard"], "transfer_to=" + prof["Support"], ""},
		{5, prof["Administrator"], "", `{"profiles":[{"permissions_details":[{"id":"` + perm + `","enabled":false}]}]}`},
		{6, role["Manager"], "", ""},
		{7, "", "", `{"roles":[{"name":"Fuzz","reporting_to":"` + role["CEO"] + `"},{"name":"#"},{}]}`},
		{8, "", "", `{"roles":[{"id":"` + role["Manager"] + `","reporting_to":"` + role["Sales Rep"] + `"},{"id":"` + role["Sales Rep"] + `","name":"Rep"}]}`},
		{9, role["CEO"], "", `{"roles":[{"reporting_to":{"id":"` + role["Manager"] + `"}}]}`},
		{10, role["Support Agent"], "transfer_to_id=" + role["Manager"], ""},
		{10, role["Manager"], "transfer_to_id=" + role["Sales Rep"], ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.q, s.body)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query, body string) {
		rt := settingsRoutes[int(route)%len(settingsRoutes)]
		fuzzOne(t, env, tok, rt.method, rt.path, id, query, body)
	})
}
