package guard_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestRefusedCallsSpendNoCredit: with 5 credits a day and one call at a
// time, calls refused while another is in flight (429, concurrency), for a
// scope the token lacks (401) or with a forged token (401) leave the
// budget whole: exactly the 5 credits buy 5 calls, and the sixth is the
// daily limit's 429.
func TestRefusedCallsSpendNoCredit(t *testing.T) {
	const credits = 5
	env := testenv.New(t, testenv.Options{Guard: guard.Config{Credits: credits, Concurrency: 1}})
	tok := env.Token(t, "", "ZohoCRM.org.READ")

	// One call in flight, held by the stack's own guard: it spends a credit.
	r := httptest.NewRequest("GET", "/crm/v8/org", nil)
	r.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	held, err := env.Guard.Authorize(r, access.ScopeOrgRead)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
		if body := readBody(t, resp); resp.StatusCode != 429 || !strings.Contains(body, "concurrency limit") {
			t.Fatalf("call %d beside the one in flight: %d %s, want 429 for concurrency", i, resp.StatusCode, body)
		}
	}
	held.Done()
	for i := range 5 {
		resp := env.Do(t, "GET", "/crm/v8/users", tok, "") // the token has no users scope
		if resp.StatusCode != 401 {
			t.Fatalf("call %d out of scope: %d, want 401", i, resp.StatusCode)
		}
		resp.Body.Close()
		resp = env.Do(t, "GET", "/crm/v8/org", randomToken(), "")
		if resp.StatusCode != 401 {
			t.Fatalf("forged token: %d, want 401", resp.StatusCode)
		}
		resp.Body.Close()
	}

	// The held call spent one credit; the other four buy four calls.
	for i := 1; i < credits; i++ {
		resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
		if body := readBody(t, resp); resp.StatusCode != 200 {
			t.Fatalf("call %d of %d after the refusals: %d %s; refused calls spent credits", i, credits-1, resp.StatusCode, body)
		}
	}
	resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
	if body := readBody(t, resp); resp.StatusCode != 429 || !strings.Contains(body, "24 hour period") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("call past the budget: %d %s, want 429 for the daily limit with Retry-After", resp.StatusCode, body)
	}
}
