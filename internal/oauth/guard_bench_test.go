package oauth_test

import (
	"crypto/sha256"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/oauth"
	"github.com/crmguard/crmguard/internal/testenv"
)

// BenchmarkGuardWarm is the per-request pipeline with the principal cached:
// header, token hash, cache lookup, status, IP, API access, scope, credits
// and concurrency. Target: under 2 µs and at most 5 allocations.
func BenchmarkGuardWarm(b *testing.B) {
	// Credits are set past any b.N: the benchmark measures the checks,
	// not the 429 an org's daily budget would give after 51,000 calls.
	env := testenv.New(b, testenv.Options{Guard: oauth.GuardConfig{Credits: 1 << 30}})
	tok := env.Token(b, "", "ZohoCRM.org.READ")
	r := httptest.NewRequest("GET", "/crm/v8/org", nil)
	r.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	if _, err := env.Guard.Authorize(r, access.ScopeOrgRead); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t, err := env.Guard.Authorize(r, access.ScopeOrgRead)
		if err != nil {
			b.Fatal(err)
		}
		t.Done()
	}
}

// BenchmarkBaselineHashLookup is the least any token check must do: hash
// the token and look it up in a locked map. The README quotes the
// pipeline's cost as a ratio to it.
func BenchmarkBaselineHashLookup(b *testing.B) {
	tok := "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef"
	var mu sync.RWMutex
	m := map[[32]byte]int{sha256.Sum256([]byte(tok)): 1}
	b.ReportAllocs()
	for b.Loop() {
		var buf [256]byte
		n := copy(buf[:], tok)
		h := sha256.Sum256(buf[:n])
		mu.RLock()
		v := m[h]
		mu.RUnlock()
		if v != 1 {
			b.Fatal("miss")
		}
	}
}
