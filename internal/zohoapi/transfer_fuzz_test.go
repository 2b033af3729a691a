package zohoapi_test

import (
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

var transferFuzzRoutes = []struct{ method, path string }{
	{"POST", "/crm/v8/users/actions/transfer_and_delete"},
	{"POST", "/crm/v8/users/{id}/actions/transfer_and_delete"},
	{"GET", "/crm/v8/users/actions/transfer_and_delete"},
}

// FuzzTransferAPI sends fuzzed transfer-and-delete bodies and status
// queries: none may answer 5xx, and a refused one must change nothing.
func FuzzTransferAPI(f *testing.F) {
	env := testenv.New(f, testenv.Options{Demo: true})
	tok := env.Token(f, "", adminScopes)
	grace := env.User(f, standardUser).ID.String()
	marcus := env.User(f, anotherSales).ID.String()
	seeds := []struct {
		route       uint8
		id, q, body string
	}{
		{0, "", "", `{"transfer_and_delete":[{"id":"` + grace + `","transfer":{"id":"` + marcus + `","records":true,"assignment":false,"criteria":true},"move_subordinate":{"id":"` + marcus + `"}}]}`},
		{0, "", "", `{"transfer_and_delete":[{"id":` + grace + `,"transfer":{"id":"` + grace + `","records":1,"assignment":null}}]}`},
		{0, "", "", `{"transfer_and_delete":[null,"x",[],{"transfer":"y","move_subordinate":[]}]}`},
		{0, "", "", `{"transfer_and_delete":{}}`},
		{1, grace, "", `{"transfer_and_delete":[{"transfer":{"id":{"id":"` + marcus + `"},"records":true,"assignment":true,"criteria":true}}]}`},
		{1, "0", "", `{"transfer_and_delete":[{"transfer":{"id":"-1","records":true,"assignment":true,"criteria":true},"move_subordinate":{}}]}`},
		{2, "", "job_id=1", ""},
		{2, "", "job_id=abc", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.q, s.body)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query, body string) {
		rt := transferFuzzRoutes[int(route)%len(transferFuzzRoutes)]
		fuzzOne(t, env, tok, rt.method, rt.path, id, query, body)
	})
}
