package guard_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// BenchmarkGuardWarm is the per-request pipeline with the principal cached:
// header, token hash, cache lookup, status, IP, API access, scope, credits
// and concurrency. Target: under 2 µs and at most 5 allocations.
func BenchmarkGuardWarm(b *testing.B) {
	// Credits are set past any b.N: the benchmark measures the checks,
	// not the 429 an org's daily budget would give after 51,000 calls.
	env := testenv.New(b, testenv.Options{Guard: guard.Config{Credits: 1 << 30}})
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

// BenchmarkForgedTokenFlood is the cost of refusing random, well-shaped
// tokens over loopback HTTP: the full handler (router, middleware, guard)
// against a bare net/http handler that writes the same 401 bytes. Each
// iteration sends one request to each, so both see the same machine load;
// bare/full is the ratio of their mean times (target ≥ 0.8): a forged token
// must not cost a database read.
func BenchmarkForgedTokenFlood(b *testing.B) {
	env := testenv.New(b, testenv.Options{})
	tokens := make([]string, 4096)
	for i := range tokens {
		tokens[i] = randomToken()
	}
	// What the full handler answers, copied byte for byte into the bare one.
	resp := env.Do(b, "GET", "/crm/v8/org", tokens[0], "")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		b.Fatalf("random token: %d %s", resp.StatusCode, body)
	}
	header := resp.Header.Clone()
	header.Del("Date")
	header.Del("Content-Length")
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		maps.Copy(w.Header(), header)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(body)
	}))
	b.Cleanup(bare.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	send := func(base, tok string) (time.Duration, error) {
		start := time.Now()
		req, _ := http.NewRequest("GET", base+"/crm/v8/org", nil)
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			return 0, fmt.Errorf("%s: status %d", base, resp.StatusCode)
		}
		return time.Since(start), nil
	}
	var next, bareNs, fullNs, n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tok := tokens[next.Add(1)%int64(len(tokens))]
			db, err := send(bare.URL, tok)
			if err != nil {
				b.Error(err)
				return
			}
			df, err := send(env.URL, tok)
			if err != nil {
				b.Error(err)
				return
			}
			bareNs.Add(int64(db))
			fullNs.Add(int64(df))
			n.Add(1)
		}
	})
	if n.Load() > 0 {
		b.ReportMetric(float64(bareNs.Load())/float64(n.Load()), "bare-ns/req")
		b.ReportMetric(float64(fullNs.Load())/float64(n.Load()), "full-ns/req")
		b.ReportMetric(float64(bareNs.Load())/float64(fullNs.Load()), "bare/full")
	}
}
