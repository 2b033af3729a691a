package guard_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/pgtest"
	"github.com/crmguard/crmguard/internal/testenv"
)

// BenchmarkGuardWarmShared is BenchmarkGuardWarm on SQLite (credits in
// memory) and on PostgreSQL (credits spent from a reserved batch, the
// concurrency limit split among live instances), measured in turns of 256
// calls within one run so both see the same machine load. It reports each
// one's ns per call and pg/sqlite, their ratio. Skipped without
// CRMGUARD_TEST_POSTGRES.
func BenchmarkGuardWarmShared(b *testing.B) {
	if !pgtest.Available() {
		b.Skip(pgtest.Env + " is unset")
	}
	cfg := guard.Config{Credits: 1 << 30}
	lite := testenv.New(b, testenv.Options{Guard: cfg})
	pg := testenv.New(b, testenv.Options{Backend: testenv.Postgres, Guard: cfg})
	req := func(env *testenv.Env) *http.Request {
		r := httptest.NewRequest("GET", "/crm/v8/org", nil)
		r.Header.Set("Authorization", "Zoho-oauthtoken "+env.Token(b, "", "ZohoCRM.org.READ"))
		return r
	}
	rl, rp := req(lite), req(pg)
	turn := func(g *guard.Guard, r *http.Request) time.Duration {
		start := time.Now()
		for range 256 {
			t, err := g.Authorize(r, access.ScopeOrgRead)
			if err != nil {
				b.Fatal(err)
			}
			t.Done()
		}
		return time.Since(start)
	}
	// Warm both: the principal cached, the batch grown.
	for range 64 {
		turn(lite.Guard, rl)
		turn(pg.Guard, rp)
	}
	var dl, dp time.Duration
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		dl += turn(lite.Guard, rl)
		dp += turn(pg.Guard, rp)
		n += 256
	}
	b.ReportMetric(float64(dl.Nanoseconds())/float64(n), "sqlite-ns/call")
	b.ReportMetric(float64(dp.Nanoseconds())/float64(n), "pg-ns/call")
	b.ReportMetric(float64(dp)/float64(dl), "pg/sqlite")
}

// BenchmarkReserveCredits is one credit reservation on PostgreSQL: the
// transaction an instance runs each time its batch is spent. A call's
// share of it is this over the batch (at most 0.5% of the daily limit).
func BenchmarkReserveCredits(b *testing.B) {
	env := testenv.New(b, testenv.Options{Backend: testenv.Postgres})
	minute := env.Clock.Now().Unix() / 60
	b.ReportAllocs()
	for b.Loop() {
		if n, _, _, err := env.Store.ReserveCredits(b.Context(), env.Org.ID, minute, 1<<50, 1, minute, 0); err != nil || n != 1 {
			b.Fatal(n, err)
		}
	}
}
