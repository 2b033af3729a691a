package zohoapi_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// BenchmarkMillionUsers seeds a million users (the store's CreateUsers in
// chunks, as crmguard user seed does; CRMGUARD_BENCH_USERS changes the
// count) and then, in rounds, PUTs one user and times the first reads
// after it: page 1 and page 5,000 of 200 users (cold: the write made
// the list and the user's record change), the user's own record, and the
// same reads again (warm). It reports the medians in milliseconds and the
// process's peak RSS (VmHWM). Run it alone:
//
//	go test -run '^$' -bench MillionUsers -benchtime 1x -timeout 30m ./internal/zohoapi
func BenchmarkMillionUsers(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CRMGUARD_BENCH_USERS")); err == nil && v > 0 {
		n = v
	}
	env := testenv.New(b, testenv.Options{})
	ctx := context.Background()
	t0 := time.Now()
	if _, err := env.Svc.SeedUsers(ctx, env.Admin, n, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d users in %s", n, time.Since(t0).Round(time.Second))
	tok := env.Token(b, "", "ZohoCRM.users.ALL")
	get := func(path string) time.Duration {
		req, _ := http.NewRequest("GET", env.URL+path, nil)
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		t := time.Now()
		resp, err := env.Server.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(t)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return d
	}
	page, err := env.Svc.ListUsers(ctx, env.Org.ID, service.UserQuery{Type: "ActiveUsers", Page: 2, PerPage: 100})
	if err != nil {
		b.Fatal(err)
	}
	var targets []crmguard.ID
	for _, u := range page.Users {
		targets = append(targets, u.ID)
	}
	put := func(i int) {
		body := `{"users":[{"city":"City ` + strconv.Itoa(i) + `"}]}`
		req, _ := http.NewRequest("PUT", env.URL+"/crm/v8/users/"+targets[i%len(targets)].String(), strings.NewReader(body))
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		resp, err := env.Server.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("PUT: %d", resp.StatusCode)
		}
	}
	last := (n + 199) / 200
	deep := min(5000, last)
	get("/crm/v8/users?per_page=200&page=1") // the lists and the org's metadata, once
	get("/crm/v8/users?per_page=200&page=" + strconv.Itoa(deep))
	const rounds = 15
	m := map[string][]time.Duration{}
	for i := range rounds {
		put(2 * i)
		m["page1-cold"] = append(m["page1-cold"], get("/crm/v8/users?per_page=200&page=1"))
		m["user-cold"] = append(m["user-cold"], get("/crm/v8/users/"+targets[(2*i)%len(targets)].String()))
		m["page1-warm"] = append(m["page1-warm"], get("/crm/v8/users?per_page=200&page=1"))
		m["user-warm"] = append(m["user-warm"], get("/crm/v8/users/"+targets[(2*i)%len(targets)].String()))
		put(2*i + 1)
		m["page5000-cold"] = append(m["page5000-cold"], get("/crm/v8/users?per_page=200&page="+strconv.Itoa(deep)))
		m["page5000-warm"] = append(m["page5000-warm"], get("/crm/v8/users?per_page=200&page="+strconv.Itoa(deep)))
	}
	for k, ds := range m {
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, k+"-ms")
	}
	b.ReportMetric(float64(vmHWM())/(1<<20), "VmHWM-MiB")
}

// vmHWM is the process's peak resident set, in bytes (0 where there is no
// /proc).
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
