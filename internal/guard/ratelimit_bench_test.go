package guard_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// BenchmarkGuardWarmWithHeaders is BenchmarkGuardWarm plus the rate-limit
// headers a granted call sends, with the token in the Bearer scheme. The
// limit and reset values are formatted once and shared; the remaining
// count is the one allocation a call adds.
func BenchmarkGuardWarmWithHeaders(b *testing.B) {
	env := testenv.New(b, testenv.Options{Guard: guard.Config{Credits: 1 << 30}})
	tok := env.Token(b, "", "ZohoCRM.org.READ")
	r := httptest.NewRequest("GET", "/crm/v8/org", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	h := http.Header{}
	b.ReportAllocs()
	for b.Loop() {
		t, err := env.Guard.Authorize(r, access.ScopeOrgRead)
		if err != nil {
			b.Fatal(err)
		}
		t.SetRateLimit(h)
		t.Done()
	}
	if h.Get("X-RATELIMIT-LIMIT") == "" || h.Get("X-RATELIMIT-REMAINING") == "" || h.Get("X-RATELIMIT-RESET") == "" {
		b.Fatalf("headers not set: %v", h)
	}
}
