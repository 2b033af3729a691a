package zohoapi_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// fuzzRoutes are the Users API requests the fuzzer varies: {id} takes the
// fuzzed ID, the query string and body are fuzzed whole.
var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/crm/v8/users"}, {"GET", "/crm/v8/users/{id}"}, {"GET", "/crm/v8/users/actions/count"},
	{"GET", "/crm/v8/users/search"}, {"POST", "/crm/v8/users"}, {"PUT", "/crm/v8/users"},
	{"PUT", "/crm/v2/users/{id}"}, {"DELETE", "/crm/v8/users/{id}"}, {"DELETE", "/crm/v8/users"},
	{"GET", "/crm/v8/settings/fields"},
}

// FuzzUsersAPI sends fuzzed Users API requests to the real stack: no input
// may answer 500 or kill the server, and a refused request (4xx) must leave
// the org unchanged (every change is audited, so the audit sequence tells).
func FuzzUsersAPI(f *testing.F) {
	env := testenv.New(f, testenv.Options{Demo: true})
	tok := env.Token(f, "", adminScopes)
	grace := env.User(f, standardUser).ID.String()
	seeds := []struct {
		route       uint8
		id, q, body string
	}{
		{0, "", "type=ActiveUsers&page=2&per_page=3", ""},
		{0, "", "ids=" + grace + ",1&type=AllUsers", ""},
		{1, grace, "", ""},
		{1, "0", "", ""},
		{2, "", "type=CurrentUser", ""},
		{3, "", "criteria=((email:equals:a@b.c)or(last_name:starts_with:N))", ""},
		{3, "", `criteria=(city:in:a\,b,c)`, ""},
		{4, "", "", `{"users":[{"last_name":"Fuzz","email":"fuzz@example.com","role":"1","profile":"2"}]}`},
		{4, "", "", `{"users":[{"last_name":"Fuzz","email":"fuzz@","role":{"id":1},"profile":{"id":null},"dob":"2020-13-01"}]}`},
		{5, "", "", `{"users":[{"id":"` + grace + `","city":"Accra","status":"inactive"}]}`},
		{5, "", "", `{"users":[{"id":"` + grace + `","status":"active"},{"id":12},"x",null,[]]}`},
		{6, grace, "", `{"users":[{"time_zone":"Europe/Paris","email":"G@example.com"}]}`},
		{7, grace, "", ""},
		{8, "", "", `{"users":[{"id":"` + grace + `"}]}`},
		{9, "", "module=users", ""},
		{4, "", "", `{"users":[{"last_name":"\u0000\ud800","email":"a@b.co","role":"9223372036854775807","profile":"-1"}]}`},
		{5, "", "", `{"users":[{"id":"` + grace + `","Reporting_To":{"id":"` + grace + `"},"phone":"1\n2"}]}`},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.q, s.body)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query, body string) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		fuzzOne(t, env, tok, rt.method, rt.path, id, query, body)
	})
}

// fuzzOne sends one fuzzed request ({id} in path takes id): it must not
// answer 5xx, and if refused (4xx) it must not change the org (every change
// is audited, so the audit sequence tells).
func fuzzOne(t *testing.T, env *testenv.Env, tok, method, path, id, query, body string) {
	ctx := context.Background()
	u := env.URL + strings.ReplaceAll(path, "{id}", url.PathEscape(id))
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Skip("not a URL a client can send")
	}
	req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	before, err := env.Store.LastAuditSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s %q: %d %s", method, u, body, resp.StatusCode, b)
	}
	after, err := env.Store.LastAuditSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 400 && after != before {
		t.Fatalf("%s %s %q was refused (%d %s) but changed the org", method, u, body, resp.StatusCode, b)
	}
}
