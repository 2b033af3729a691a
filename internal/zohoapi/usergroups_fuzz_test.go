package zohoapi_test

import (
	"context"
	"testing"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

var groupRoutes = []struct{ method, path string }{
	{"GET", "/crm/v8/settings/user_groups"}, {"GET", "/crm/v8/settings/user_groups/{id}"},
	{"POST", "/crm/v8/settings/user_groups"}, {"PUT", "/crm/v8/settings/user_groups"},
	{"PUT", "/crm/v4/settings/user_groups/{id}"}, {"DELETE", "/crm/v8/settings/user_groups/{id}"},
	{"GET", "/crm/v8/settings/user_groups/{id}/sources"}, {"GET", "/crm/v8/settings/user_groups/{id}/actions/sources_count"},
	{"GET", "/crm/v8/users/{id}/actions/associated_groups"},
}

// FuzzUserGroupsAPI sends fuzzed user group requests to the real stack: no
// input may answer 500, and a refused request (4xx) must change nothing.
func FuzzUserGroupsAPI(f *testing.F) {
	env := testenv.New(f, testenv.Options{Demo: true})
	tok := env.Token(f, "", "ZohoCRM.settings.ALL,ZohoCRM.users.READ")
	ctx := context.Background()
	roles, err := env.Svc.ListRoles(ctx, env.Org.ID)
	if err != nil {
		f.Fatal(err)
	}
	role := map[string]string{}
	for _, r := range roles {
		role[r.Name] = r.ID.String()
	}
	user := env.User(f, salesUser).ID.String()
	ids, results, err := env.Svc.AddUserGroups(ctx, env.Admin, []service.UserGroupInput{{Name: new("Fuzz base"), HasSources: true,
		Sources: []service.GroupSourceInput{{Type: "users", ID: env.User(f, salesUser).ID}}}})
	if err != nil || results[0] != nil {
		f.Fatal(err, results)
	}
	group := ids[0].String()
	seeds := []struct {
		route       uint8
		id, q, body string
	}{
		{0, "", "include=sources_count&name=Fuzz%20base", ""},
		{1, group, "", ""},
		{2, "", "", `{"user_groups":[{"name":"A","description":"d","sources":[{"type":"users","source":{"id":"` + user + `"}},{"type":"roles","source":"` + role["Manager"] + `","subordinates":true}]}]}`},
		{2, "", "", `{"user_groups":[{"name":"fuzz BASE","sources":[{"type":"territories","source":{"id":1}}]},{"sources":null},"x",{"name":"B","sources":[{"type":"roles","source":{"id":"1"},"subordinates":"yes"}]}]}`},
		{3, "", "", `{"user_groups":[{"id":"` + group + `","sources":[{"type":"users","source":{"id":"` + user + `"},"_delete":true}]}]}`},
		{4, group, "", `{"user_groups":[{"name":"Renamed","sources":[{"type":"roles","source":{"id":"` + role["CEO"] + `"}}]}]}`},
		{5, group, "", ""},
		{6, group, "type=users&user_type=active&per_page=1", ""},
		{7, group, "", ""},
		{8, user, "page=1", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.q, s.body)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query, body string) {
		rt := groupRoutes[int(route)%len(groupRoutes)]
		fuzzOne(t, env, tok, rt.method, rt.path, id, query, body)
	})
}
