package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the run's schema

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/server"
)

// The scale scenario: one crmguard on SQLite, one on PostgreSQL, and two on
// the same PostgreSQL schema, behind a round-robin proxy and with the load
// clients alternating between them directly. Every instance and the proxy
// is a process of its own (this program started with -instance or -proxy),
// so the CPU each one spends can be read from /proc.

// prepare makes the org in db, seeds users and issues an admin token that
// reads and updates users.
func prepare(ctx context.Context, db string, users int) (string, error) {
	stack, err := server.Open(ctx, server.Options{Path: db, PollInterval: -1})
	if err != nil {
		return "", err
	}
	defer stack.Close()
	admin := crmguard.Actor{OrgID: stack.Boot.Org.ID, UserID: stack.Boot.Admin.ID, Source: crmguard.SourceCLI}
	if _, err := stack.Service.SeedUsers(ctx, admin, users, nil); err != nil {
		return "", err
	}
	t, err := stack.Service.IssueTokens(ctx, admin, stack.Boot.Admin.ID, "ZohoCRM.org.READ,ZohoCRM.users.ALL", false)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// pgSchema creates a schema of its own in the database at dsn and returns
// a DSN that uses it (its connections named after it, to find their
// backends), what lists the pids of those backends, and how to drop it.
func pgSchema(ctx context.Context, dsn string) (string, func() []string, func(), error) {
	var b [5]byte
	_, _ = rand.Read(b[:])
	schema := "crmguard_load_" + hex.EncodeToString(b[:])
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, nil, err
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, nil, err
	}
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		return "", nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", schema)
	u.RawQuery = q.Encode()
	backends := func() []string {
		var pids []string
		rows, err := db.QueryContext(ctx, "SELECT pid::text FROM pg_stat_activity WHERE application_name = $1", schema)
		if err != nil {
			return nil
		}
		defer rows.Close()
		for rows.Next() {
			var pid string
			if rows.Scan(&pid) == nil {
				pids = append(pids, pid)
			}
		}
		return pids
	}
	return u.String(), backends, func() {
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintln(os.Stderr, "crmguard-load: drop schema:", err)
		}
		db.Close()
	}, nil
}

// setup is one way of serving: the URLs the load clients alternate
// between, and the processes whose CPU time is counted as crmguard's.
type setup struct {
	name      string
	bases     []string
	tok       string
	family    string // "sqlite" or "postgres": whose IDs and bodies
	instances []*process
	proxy     *process
}

// workload is what the clients request: GETs of paths (each answer's size
// checked), or a PUT of one user per request.
type workload struct {
	name, what string
	put        bool
	paths      map[string][]string       // family → paths
	sizes      map[string]map[string]int // family → path → bytes
}

func runScale(ctx context.Context, pgDSN, profile string, users, conc int, dur time.Duration, rounds int) error {
	if pgDSN == "" {
		return errors.New("-scenario scale needs -postgres DSN (a schema of its own is created there and dropped after)")
	}
	if users == 0 {
		users = 3000
	}
	dir, err := os.MkdirTemp("", "crmguard-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lite := filepath.Join(dir, "crmguard.db")
	pg, backends, drop, err := pgSchema(ctx, pgDSN)
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer drop()
	toks := map[string]string{}
	for family, db := range map[string]string{"sqlite": lite, "postgres": pg} {
		t0 := time.Now()
		if toks[family], err = prepare(ctx, db, users); err != nil {
			return fmt.Errorf("%s: %w", family, err)
		}
		fmt.Printf("%s: org and %d users in %s\n", family, users, time.Since(t0).Round(time.Millisecond))
	}
	var procs []*process
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	run := func(name string, env []string, args ...string) *process {
		if err != nil {
			return nil
		}
		if profile != "" {
			args = append(args, "-cpuprofile", profile+"."+name)
		}
		var p *process
		if p, err = start(env, args...); err == nil {
			procs = append(procs, p)
		}
		return p
	}
	// The database reaches an instance in its environment, not on its
	// command line, where any user of the machine could read a password.
	on := func(db string) []string { return []string{instanceDatabase + "=" + db} }
	sq, a, b := run("sqlite", on(lite), "-instance", "sqlite"), run("postgres-a", on(pg), "-instance", "postgres-a"), run("postgres-b", on(pg), "-instance", "postgres-b")
	var px *process
	if err == nil {
		px = run("proxy", nil, "-proxy", a.url+","+b.url)
	}
	if err != nil {
		return err
	}
	setups := []setup{
		{name: "sqlite, one", bases: []string{sq.url}, family: "sqlite", instances: []*process{sq}},
		{name: "postgres, one", bases: []string{a.url}, family: "postgres", instances: []*process{a}},
		{name: "postgres, two via proxy", bases: []string{px.url}, family: "postgres", instances: []*process{a, b}, proxy: px},
		{name: "postgres, two direct", bases: []string{a.url, b.url}, family: "postgres", instances: []*process{a, b}},
	}
	for i := range setups {
		setups[i].tok = toks[setups[i].family]
	}
	works, err := workloads(map[string]string{"sqlite": sq.url, "postgres": a.url}, toks)
	if err != nil {
		return err
	}
	fmt.Printf("scale: %d users, %d clients, %s rounds, %d rounds, %d CPUs; CPU columns: CPUs busy during the rounds (of %d)\n",
		users, conc, dur, rounds, runtime.NumCPU(), runtime.NumCPU())
	for _, w := range works {
		// Warm every instance's caches: each path once from each URL.
		for _, s := range setups {
			if w.put {
				break
			}
			for _, base := range s.bases {
				for _, p := range w.paths[s.family] {
					if _, err := fetch(base+p, s.tok); err != nil {
						return err
					}
				}
			}
		}
		fmt.Printf("\n%s: %s\n", w.name, w.what)
		sums := make([]float64, len(setups))
		cpus := make([]cpuUse, len(setups))
		lasts := make([]result, len(setups))
		for i := 0; i < rounds; i++ { // alternating, as the machine's load moves
			for j, s := range setups {
				fmt.Fprintf(os.Stderr, "%s round %d/%d: %s...\n", w.name, i+1, rounds, s.name)
				before := sampleCPU(s, backends)
				r, err := drive(s, w, conc, dur)
				if err != nil {
					return fmt.Errorf("%s, %s: %w", w.name, s.name, err)
				}
				cpus[j].add(sampleCPU(s, backends).minus(before))
				sums[j] += r.rps
				lasts[j] = r
			}
		}
		rps := map[string]float64{}
		secs := dur.Seconds() * float64(rounds)
		for j, s := range setups {
			rps[s.name] = sums[j] / float64(rounds)
			cpu, last := cpus[j], lasts[j]
			proxy := "  -  "
			if s.proxy != nil {
				proxy = fmt.Sprintf("%5.2f", cpu.proxy/secs)
			}
			fmt.Printf("  %-24s %8.0f req/s  p50 %-9s p99 %-9s  CPU: load %.2f, proxy %s, crmguard %.2f (%.0f µs/req), postgres %.2f\n",
				s.name, rps[s.name], last.p50.Round(time.Microsecond), last.p99.Round(time.Microsecond),
				cpu.load/secs, proxy, cpu.crmguard/secs, cpu.crmguard/secs/rps[s.name]*1e6, cpu.postgres/secs)
		}
		one := rps["postgres, one"]
		fmt.Printf("  ratios: postgres/sqlite %.2f; two/one via proxy %.2f, direct %.2f\n",
			one/rps["sqlite, one"], rps["postgres, two via proxy"]/one, rps["postgres, two direct"]/one)
	}
	return nil
}

// workloads finds the paths of each family through its first instance: a
// single user (1,000 spread over the org), a 200-user page (every page of
// the org), a PUT of one user (the same 1,000).
func workloads(base, toks map[string]string) ([]workload, error) {
	user := workload{name: "user", what: "warm GET /crm/v8/users/{id} over up to 1,000 users",
		paths: map[string][]string{}, sizes: map[string]map[string]int{}}
	page := workload{name: "page", what: "warm GET /crm/v8/users?per_page=200&page=N over every page",
		paths: map[string][]string{}, sizes: map[string]map[string]int{}}
	put := workload{name: "put", what: `PUT /crm/v8/users/{id} {"users":[{"city":…}]} over up to 1,000 active users (each a write)`, put: true,
		paths: map[string][]string{}}
	for family, u := range base {
		tok := toks[family]
		var err error
		if user.paths[family], err = scenarioPaths(u, tok, "user"); err != nil {
			return nil, err
		}
		if put.paths[family], err = activeUsers(u, tok, 1000); err != nil {
			return nil, err
		}
		b, err := fetch(u+"/crm/v8/users/actions/count", tok)
		if err != nil {
			return nil, err
		}
		count, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(string(b), `{"count":`), "}"))
		if err != nil {
			return nil, fmt.Errorf("count: %s", b)
		}
		for p := 1; (p-1)*200 < count; p++ {
			page.paths[family] = append(page.paths[family], fmt.Sprintf("/crm/v8/users?per_page=200&page=%d", p))
		}
		for _, w := range []workload{user, page} {
			w.sizes[family] = map[string]int{}
			for _, p := range w.paths[family] {
				b, err := fetch(u+p, tok)
				if err != nil {
					return nil, err
				}
				w.sizes[family][p] = len(b)
			}
		}
	}
	return []workload{user, page, put}, nil
}

// activeUsers are the paths of up to n active users (a deactivated one
// cannot be updated).
func activeUsers(base, tok string, n int) ([]string, error) {
	var out []string
	for page := 1; len(out) < n; page++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/crm/v8/users?type=ActiveUsers&per_page=200&page=%d", base, page), nil)
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusNoContent { // past the last page
			break
		}
		var list struct{ Users []struct{ ID string } }
		if err := json.Unmarshal(b, &list); resp.StatusCode != 200 || err != nil {
			return nil, fmt.Errorf("GET %s: %d %.200s", req.URL, resp.StatusCode, b)
		}
		for _, u := range list.Users {
			if len(out) < n {
				out = append(out, "/crm/v8/users/"+u.ID)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no active user to update")
	}
	return out, nil
}

// drive runs conc clients for dur against s; request k of a client goes to
// s.bases[k % len(s.bases)].
func drive(s setup, w workload, conc int, dur time.Duration) (result, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	paths, sizes := w.paths[s.family], w.sizes[s.family]
	var n atomic.Int64
	var failed atomic.Value
	lats := make([][]time.Duration, conc)
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := i; time.Now().Before(deadline); k++ {
				base, p := s.bases[k%len(s.bases)], paths[(k/len(s.bases))%len(paths)]
				var req *http.Request
				if w.put {
					req, _ = http.NewRequest("PUT", base+p, strings.NewReader(fmt.Sprintf(`{"users":[{"city":"City %d-%d"}]}`, i, k)))
				} else {
					req, _ = http.NewRequest("GET", base+p, nil)
				}
				req.Header.Set("Authorization", "Zoho-oauthtoken "+s.tok)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Store(err)
					return
				}
				var body []byte
				var m int64
				if w.put || resp.StatusCode != 200 {
					body, _ = io.ReadAll(resp.Body)
					m = int64(len(body))
				} else {
					m, _ = io.Copy(io.Discard, resp.Body)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 || (!w.put && int(m) != sizes[p]) {
					failed.Store(fmt.Errorf("%s %s: status %d, %d bytes: %.200s", req.Method, p, resp.StatusCode, m, body))
					return
				}
				lats[i] = append(lats[i], time.Since(t0))
				n.Add(1)
			}
		}(i)
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return result{}, err
	}
	return summarize(lats, n.Load(), dur)
}
