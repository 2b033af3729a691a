package zohoapi_test

import (
	"context"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

var territoryRoutes = []struct{ method, path string }{
	{"POST", "/crm/v8/settings/territories"}, {"PUT", "/crm/v8/settings/territories"},
	{"PUT", "/crm/v8/settings/territories/{id}"}, {"DELETE", "/crm/v8/settings/territories/{id}"},
	{"PUT", "/crm/v8/users/{id}/territories"}, {"DELETE", "/crm/v8/users/{id}/territories"},
	{"GET", "/crm/v3/users/{id}/territories"}, {"PUT", "/crm/v6/settings/territories"},
	{"PUT", "/crm/v8/settings/territories/{id}/users"}, {"DELETE", "/crm/v8/settings/territories/{id}/users"},
}

// FuzzTerritoriesAPI sends fuzzed territory and user-territory requests to
// the real stack: no input may answer 500, and a refused request (4xx)
// must change nothing.
func FuzzTerritoriesAPI(f *testing.F) {
	env := testenv.New(f, testenv.Options{Demo: true})
	tok := env.Token(f, "", "ZohoCRM.settings.ALL,ZohoCRM.users.ALL")
	ctx := context.Background()
	rw := crmguard.TerritoryReadWriteDelete
	terr := map[string]string{}
	for _, name := range []string{"Root", "East", "West"} {
		in := service.TerritoryInput{Name: &name, PermissionType: &rw}
		if name != "Root" {
			root, _ := crmguard.ParseID(terr["Root"])
			in.ReportingTo = &root
		}
		ids, res, err := env.Svc.AddTerritories(ctx, env.Admin, []service.TerritoryInput{in})
		if err != nil || res[0] != nil {
			f.Fatal(err, res[0])
		}
		terr[name] = ids[0].String()
	}
	user := env.User(f, salesUser).ID.String()
	seeds := []struct {
		route       uint8
		id, q, body string
	}{
		{0, "", "", `{"territories":[{"name":"North","reporting_to":{"id":"` + terr["Root"] + `"},"permission_type":"read_only","manager":null}]}`},
		{0, "", "", `{"territories":[{"name":"East","reporting_to":"` + terr["Root"] + `","permission_type":"x"},{},"s",{"name":1}]}`},
		{1, "", "", `{"territories":[{"id":"` + terr["East"] + `","reporting_to":"` + terr["West"] + `"},{"id":"` + terr["Root"] + `","reporting_to":"` + terr["East"] + `"}]}`},
		{2, terr["West"], "", `{"territories":[{"name":"","description":null,"manager":{"id":"` + user + `"}}]}`},
		{3, terr["West"], "", ""},
		{3, terr["Root"], "", ""},
		{4, user, "", `{"territories":[{"id":"` + terr["East"] + `"},{"id":"` + terr["East"] + `"},{"id":1},{}]}`},
		{5, user, "ids=" + terr["East"] + "," + terr["Root"], ""},
		{6, user, "", ""},
		{7, "", "", `{"territories":[{"id":"` + terr["West"] + `","permission_type":"read_only"}]}`},
		{8, terr["East"], "", `{"users":[{"id":"` + user + `"},{"id":"` + user + `"},{"id":"1"},{},[]]}`},
		{9, terr["East"], "ids=" + user + ",1", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.q, s.body)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query, body string) {
		rt := territoryRoutes[int(route)%len(territoryRoutes)]
		fuzzOne(t, env, tok, rt.method, rt.path, id, query, body)
	})
}
