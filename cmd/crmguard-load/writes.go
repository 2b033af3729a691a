package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// The write scenarios measure crmguard alone (a bare handler cannot stand
// for a write), in this process, over a SQLite file in a temporary
// directory or, with -in-memory, over an in-memory database:
//
//   - write: every request is a PUT of one user (one field). Client i
//     updates users i, i+c, i+2c, … so that no two clients write one user
//     at a time.
//   - mixed: what an integration's test suite does, a write and then a
//     read that follows it: each client PUTs its own user, then GETs a
//     200-user page of all users (pages in turn), and again.

// writeSetup is where the write scenarios run.
type writeSetup struct {
	inMemory bool
	sync     string // the SQLite file's synchronous setting ("": the store's default)
}

// openWrites starts crmguard with users seeded, and returns its URL, a
// token that reads and updates users, the paths of up to 1,000 active
// users other than the token's, the number of pages of 200 users and how
// to stop it.
func openWrites(ctx context.Context, ws writeSetup, users int) (base, tok string, paths []string, pages int, stop func(), err error) {
	dir, err := os.MkdirTemp("", "crmguard-load-")
	if err != nil {
		return
	}
	opt := server.Options{
		InMemory:     ws.inMemory,
		Guard:        guard.Config{Credits: 1 << 40, Concurrency: 1 << 20},
		Log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: -1,
	}
	if !ws.inMemory {
		var sopts []sqlstore.Option
		if ws.sync != "" {
			sopts = append(sopts, sqlstore.WithSync(ws.sync))
		}
		if opt.Store, err = sqlstore.OpenSQLite(ctx, filepath.Join(dir, "crmguard.db"), sopts...); err != nil {
			os.RemoveAll(dir)
			return
		}
	}
	stack, err := server.Open(ctx, opt)
	if err != nil {
		if opt.Store != nil {
			opt.Store.Close()
		}
		os.RemoveAll(dir)
		return
	}
	stopAll := func() {
		stack.Close()
		if opt.Store != nil {
			opt.Store.Close()
		}
		os.RemoveAll(dir)
	}
	fail := func(e error) (string, string, []string, int, func(), error) {
		stopAll()
		return "", "", nil, 0, nil, e
	}
	admin := crmguard.Actor{OrgID: stack.Boot.Org.ID, UserID: stack.Boot.Admin.ID, Source: crmguard.SourceCLI}
	t0 := time.Now()
	if _, err := stack.Service.SeedUsers(ctx, admin, users, nil); err != nil {
		return fail(err)
	}
	fmt.Printf("seeded %d users in %s\n", users, time.Since(t0).Round(time.Millisecond))
	issued, err := stack.Service.IssueTokens(ctx, admin, stack.Boot.Admin.ID, "ZohoCRM.org.READ,ZohoCRM.users.ALL", false)
	if err != nil {
		return fail(err)
	}
	base, stopHTTP, err := serve(stack.Handler)
	if err != nil {
		return fail(err)
	}
	tok = issued.AccessToken
	if paths, err = activeUsers(base, tok, 1001); err != nil {
		stopHTTP()
		return fail(err)
	}
	// The users written are others than the token's own (the admin): a
	// write to the caller's own row rightly drops the caller's cached
	// principal, which a test suite's writes to other users do not.
	self := "/crm/v8/users/" + stack.Boot.Admin.ID.String()
	paths = slices.DeleteFunc(paths, func(p string) bool { return p == self })
	if len(paths) > 1000 {
		paths = paths[:1000]
	}
	b, err := fetch(base+"/crm/v8/users/actions/count", tok)
	if err != nil {
		stopHTTP()
		return fail(err)
	}
	count, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(string(b), `{"count":`), "}"))
	if err != nil {
		stopHTTP()
		return fail(fmt.Errorf("count: %s", b))
	}
	return base, tok, paths, (count + 199) / 200, func() { stopHTTP(); stopAll() }, nil
}

// stepResult is one round of a write scenario: requests per second over
// all steps, and each step's latencies.
type stepResult struct {
	rps  float64
	lats map[string][]time.Duration // "PUT", "GET" → sorted latencies
}

func runWrites(scenario string, ws writeSetup, users, conc int, dur time.Duration, rounds int) error {
	ctx := context.Background()
	if users == 0 {
		users = 3000
	}
	base, tok, paths, pages, stop, err := openWrites(ctx, ws, users)
	if err != nil {
		return err
	}
	defer stop()
	if scenario == "mixed" && len(paths) < conc {
		return fmt.Errorf("%d clients need as many active users, found %d", conc, len(paths))
	}
	db := "SQLite file in a temporary directory"
	if ws.inMemory {
		db = "in-memory SQLite"
	} else if ws.sync != "" {
		db += ", synchronous=" + ws.sync
	}
	what := `PUT /crm/v8/users/{id} {"users":[{"city":…}]}, a different user each time`
	if scenario == "mixed" {
		what = `PUT /crm/v8/users/{id} (one user per client), then GET /crm/v8/users?type=AllUsers&per_page=200&page=P (P in turn)`
	}
	fmt.Printf("%s: %s; %d users, %d clients, %s rounds, %s, %d CPUs\n", scenario, what, users, conc, dur, db, runtime.NumCPU())
	var all []stepResult
	for i := 0; i < rounds; i++ {
		r, err := driveWrites(scenario, base, tok, paths, pages, conc, dur)
		if err != nil {
			return fmt.Errorf("round %d: %w", i+1, err)
		}
		all = append(all, r)
		fmt.Printf("round %d/%d: %s\n", i+1, rounds, r.line())
	}
	var sum float64
	pooled := stepResult{lats: map[string][]time.Duration{}}
	for _, r := range all {
		sum += r.rps
		for k, l := range r.lats {
			pooled.lats[k] = append(pooled.lats[k], l...)
		}
	}
	for _, l := range pooled.lats {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	}
	pooled.rps = sum / float64(rounds)
	fmt.Printf("%s, %d clients, mean of %d rounds: %s\n", scenario, conc, rounds, pooled.line())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: peak RSS %s of this process (crmguard and the load clients together), Go heap in use %d MiB\n", peakRSS(), ms.HeapInuse>>20)
	return nil
}

// line is a round's summary: requests/s, and p50/p99 of each step.
func (r stepResult) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%8.0f req/s", r.rps)
	for _, k := range []string{"PUT", "GET"} {
		l := r.lats[k]
		if len(l) == 0 {
			continue
		}
		fmt.Fprintf(&b, "; %s %6.0f/s p50 %-9s p99 %-9s", k, r.rps*float64(len(l))/float64(r.count()),
			l[len(l)/2].Round(time.Microsecond), l[len(l)*99/100].Round(time.Microsecond))
	}
	return b.String()
}

func (r stepResult) count() int {
	n := 0
	for _, l := range r.lats {
		n += len(l)
	}
	return n
}

// driveWrites runs conc clients for dur.
func driveWrites(scenario, base, tok string, paths []string, pages, conc int, dur time.Duration) (stepResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	var failed atomic.Value
	puts := make([][]time.Duration, conc)
	gets := make([][]time.Duration, conc)
	do := func(method, url, body string) (time.Duration, error) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, url, rd)
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != 200 || (method == "PUT" && !strings.Contains(string(b), `"SUCCESS"`)) {
			return 0, fmt.Errorf("%s %s: status %d: %.200s", method, url, resp.StatusCode, b)
		}
		n.Add(1)
		return d, nil
	}
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; time.Now().Before(deadline); k++ {
				user := paths[(i+k*conc)%len(paths)]
				if scenario == "mixed" {
					user = paths[i]
				}
				d, err := do("PUT", base+user, fmt.Sprintf(`{"users":[{"city":"City %d-%d"}]}`, i, k))
				if err != nil {
					failed.Store(err)
					return
				}
				puts[i] = append(puts[i], d)
				if scenario != "mixed" {
					continue
				}
				d, err = do("GET", fmt.Sprintf("%s/crm/v8/users?type=AllUsers&per_page=200&page=%d", base, (i+k)%pages+1), "")
				if err != nil {
					failed.Store(err)
					return
				}
				gets[i] = append(gets[i], d)
			}
		}(i)
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return stepResult{}, err
	}
	r := stepResult{rps: float64(n.Load()) / dur.Seconds(), lats: map[string][]time.Duration{}}
	for k, per := range map[string][][]time.Duration{"PUT": puts, "GET": gets} {
		var all []time.Duration
		for _, l := range per {
			all = append(all, l...)
		}
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		if len(all) > 0 {
			r.lats[k] = all
		}
	}
	if len(r.lats["PUT"]) == 0 {
		return r, errors.New("no request completed")
	}
	return r, nil
}
