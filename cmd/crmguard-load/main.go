// Command crmguard-load measures crmguard's API through the whole stack
// against a bare net/http handler that returns the same bytes for the same
// URLs, in one run, on loopback, and prints the ratio of their throughputs.
//
//	go run ./cmd/crmguard-load -c 16 -d 5s -rounds 3                   # GET /org
//	go run ./cmd/crmguard-load -scenario user -users 100000            # GET /users/{id}
//	go run ./cmd/crmguard-load -scenario page -users 100000            # GET /users?per_page=200
//	go run ./cmd/crmguard-load -scenario depth -users 100000           # page 1 against page 500
//	go run ./cmd/crmguard-load -scenario scale -postgres postgres://…  # SQLite, PostgreSQL, two on PostgreSQL
//	go run ./cmd/crmguard-load -scenario write -c 16                   # PUT /users/{id}: writes/s, p50, p99
//	go run ./cmd/crmguard-load -scenario mixed -c 4 -in-memory         # PUT one user, then GET a 200-user page
//
// Imports: crmguard, internal/guard, internal/server, internal/sqlstore, internal/web, internal/zohoapi.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/web"
	"github.com/crmguard/crmguard/internal/zohoapi"
)

func main() {
	conc := flag.Int("c", 16, "concurrent keep-alive clients")
	dur := flag.Duration("d", 5*time.Second, "duration of each round")
	rounds := flag.Int("rounds", 3, "rounds per server, alternating bare and crmguard")
	accessLog := flag.Bool("access-log", false, "format crmguard's JSON access log line per request (written to io.Discard)")
	scenario := flag.String("scenario", "org", "org: GET /org; user: GET /users/{id} over 1000 users; page: GET /users?per_page=200 over\n100 pages; depth: crmguard alone, page 1 against page 500 of 200 users; write: crmguard alone, PUT\none user per request; mixed: crmguard alone, each client PUTs its user then GETs a 200-user page")
	cacheMiB := flag.Int("user-cache-mib", zohoapi.DefaultUserCacheBytes>>20, "crmguard's cache of encoded users, MiB (0: off, every request reads SQLite and encodes)")
	target := flag.String("target", "", "measure a running crmguard at this base URL instead of one in this process (needs -token)")
	token := flag.String("token", "", "with -target: an access token with ZohoCRM.users.READ and ZohoCRM.org.READ")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file (scale: and of each instance and\nthe proxy to this file with .sqlite, .postgres-a, .postgres-b or .proxy appended)")
	users := flag.Int("users", 0, "users to seed first (user, page and depth need at least 100,000 for page 500; scale: 3,000 when 0)")
	postgres := flag.String("postgres", "", "scale: a PostgreSQL DSN; the run makes a schema of its own there and drops it at the end")
	instance := flag.String("instance", "", "internal to scale: serve crmguard over the database in $"+instanceDatabase+" (this names the instance),\nprint its URL, stop when stdin closes")
	inMemory := flag.Bool("in-memory", false, "write, mixed, org, user, page, depth: crmguard over an in-memory database instead of a SQLite file")
	syncMode := flag.String("sync", "", "write, mixed: the SQLite file's synchronous setting, full or normal (default: crmguard's)")
	proxy := flag.String("proxy", "", "internal to scale: serve a round-robin reverse proxy to these comma-separated URLs")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: crmguard-load [-scenario org|user|page|depth|scale|write|mixed] [-users N] [-c N] [-d DURATION] [-rounds N]\n\n"+
			"Compares requests through crmguard (SQLite, pipeline; access logs off unless -access-log)\nwith a bare "+
			"net/http handler serving the same bytes, both on loopback in this process.\n\n"+
			"-scenario scale (with -postgres DSN) compares instead one crmguard on SQLite, one on PostgreSQL\n"+
			"and two on the same PostgreSQL schema, behind a round-robin proxy and with the clients alternating\n"+
			"between them, each a process of its own, on single users, 200-user pages and PUTs of one user.\n\n"+
			"-scenario write and mixed measure crmguard alone on writes (3,000 users when -users is 0).\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *instance != "" || *proxy != "" {
		child := func() error { return serveProxy(*proxy) }
		if *instance != "" {
			child = func() error { return serveInstance(*instance) }
		}
		if *cpuProfile != "" {
			if f, err := os.Create(*cpuProfile); err == nil {
				_ = pprof.StartCPUProfile(f)
				defer pprof.StopCPUProfile()
			}
		}
		if err := child(); err != nil {
			pprof.StopCPUProfile()
			fmt.Fprintln(os.Stderr, "crmguard-load:", err)
			os.Exit(1)
		}
		return
	}
	if *conc < 1 || *dur <= 0 || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "crmguard-load: -c, -d and -rounds must be positive")
		os.Exit(2)
	}
	switch *scenario {
	case "org", "user", "page", "depth", "scale", "write", "mixed":
	default:
		fmt.Fprintf(os.Stderr, "crmguard-load: -scenario %q: want org, user, page, depth, scale, write or mixed\n", *scenario)
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "crmguard-load:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	userCache = *cacheMiB << 20
	if *cacheMiB == 0 {
		userCache = -1
	}
	if (*target == "") != (*token == "") {
		fmt.Fprintln(os.Stderr, "crmguard-load: -target and -token go together")
		os.Exit(2)
	}
	if *inMemory && (*scenario == "scale" || *target != "") {
		fmt.Fprintln(os.Stderr, "crmguard-load: -in-memory is for a crmguard in this process: not with -scenario scale or -target")
		os.Exit(2)
	}
	if *scenario == "scale" {
		if err := runScale(context.Background(), *postgres, *cpuProfile, *users, *conc, *dur, *rounds); err != nil {
			fmt.Fprintln(os.Stderr, "crmguard-load:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		return
	}
	if *scenario == "write" || *scenario == "mixed" {
		if err := runWrites(*scenario, writeSetup{inMemory: *inMemory, sync: *syncMode}, *users, *conc, *dur, *rounds); err != nil {
			fmt.Fprintln(os.Stderr, "crmguard-load:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		return
	}
	if err := run(*scenario, *target, *token, *users, *conc, *dur, *rounds, *accessLog, *inMemory); err != nil {
		fmt.Fprintln(os.Stderr, "crmguard-load:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// userCache is the -user-cache-mib setting in bytes (-1: off).
var userCache int

func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func run(scenario, target, tok string, users, conc int, dur time.Duration, rounds int, accessLog, inMemory bool) error {
	ctx := context.Background()
	crmURL := strings.TrimSuffix(target, "/")
	if target == "" {
		var stop func()
		var err error
		if crmURL, tok, stop, err = inProcess(ctx, users, accessLog, inMemory); err != nil {
			return err
		}
		defer stop()
	}
	logs := "as the target logs"
	if target == "" {
		logs = "off"
		if accessLog {
			logs = "on (JSON, discarded)"
		}
	}
	paths, err := scenarioPaths(crmURL, tok, scenario)
	if err != nil {
		return err
	}
	bodies := map[string][]byte{}
	size := 0
	for _, p := range paths {
		if bodies[p], err = fetch(crmURL+p, tok); err != nil {
			return err
		}
		size += len(bodies[p])
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = web.WriteRawJSON(w, http.StatusOK, bodies[r.URL.RequestURI()])
	})
	bareURL, stop2, err := serve(bare)
	if err != nil {
		return err
	}
	defer stop2()
	cache := fmt.Sprintf("%d MiB", userCache>>20)
	if userCache < 0 {
		cache = "off"
	}
	db := "a SQLite file"
	switch {
	case target != "":
		db = "the target's"
	case inMemory:
		db = "in memory"
	}
	fmt.Printf("%s: %d URL(s), %d bytes on average, %d clients, %s rounds, access logs %s, user cache %s, database %s, %d CPUs\n",
		scenario, len(paths), size/len(paths), conc, dur, logs, cache, db, runtime.NumCPU())
	servers := []struct{ name, url string }{{"bare", bareURL}, {"crmguard", crmURL}}
	sets := map[string][]string{"bare": paths, "crmguard": paths}
	if scenario == "depth" { // crmguard alone: page 1 against page 500
		servers = []struct{ name, url string }{{"page1", crmURL}, {"page500", crmURL}}
		sets = map[string][]string{"page1": paths[:1], "page500": paths[1:]}
	}
	var res = map[string][]result{}
	for i := 0; i < rounds; i++ {
		for _, s := range servers {
			fmt.Fprintf(os.Stderr, "round %d/%d: %s...\n", i+1, rounds, s.name)
			r, err := load(s.url, sets[s.name], bodies, tok, conc, dur)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			res[s.name] = append(res[s.name], r)
		}
	}
	a, b := summary(servers[0].name, res[servers[0].name]), summary(servers[1].name, res[servers[1].name])
	fmt.Printf("ratio %s/%s (requests/s): %.2f\n", servers[1].name, servers[0].name, b/a)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	who := "crmguard, the bare server and the load clients together"
	if target != "" {
		who = "the bare server and the load clients; read the target's own"
	}
	fmt.Printf("memory: peak RSS %s of this process (%s), Go heap in use %d MiB\n", peakRSS(), who, ms.HeapInuse>>20)
	return nil
}

// inProcess starts crmguard over a temporary SQLite file (or in memory),
// seeded with users, and returns its URL, an admin token and how to stop
// it.
func inProcess(ctx context.Context, users int, accessLog, inMemory bool) (crmURL, tok string, stop func(), err error) {
	fail := func(err error) (string, string, func(), error) { return "", "", nil, err }
	dir, err := os.MkdirTemp("", "crmguard-load-")
	if err != nil {
		return fail(err)
	}
	level := slog.LevelWarn
	if accessLog {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level}))
	// Credits past any run: the load measures the pipeline, not the 429 of
	// an org's daily budget. No watcher: nothing but this process writes.
	stack, err := server.Open(ctx, server.Options{
		Path:           filepath.Join(dir, "crmguard.db"),
		InMemory:       inMemory,
		Guard:          guard.Config{Credits: 1 << 40, Concurrency: 1 << 20},
		UserCacheBytes: userCache,
		Log:            log,
		PollInterval:   -1,
	})
	if err != nil {
		return fail(err)
	}
	svc, boot := stack.Service, stack.Boot
	admin := crmguard.Actor{OrgID: boot.Org.ID, UserID: boot.Admin.ID, Source: crmguard.SourceCLI}
	if users > 0 {
		t0 := time.Now()
		if _, err := svc.SeedUsers(ctx, admin, users, nil); err != nil {
			return fail(err)
		}
		fmt.Printf("seeded %d users in %s\n", users, time.Since(t0).Round(time.Millisecond))
	}
	crmURL, stop1, err := serve(stack.Handler)
	if err != nil {
		return fail(err)
	}
	issued, err := svc.IssueTokens(ctx, admin, boot.Admin.ID, "ZohoCRM.org.READ,ZohoCRM.users.READ", false)
	if err != nil {
		return fail(err)
	}
	return crmURL, issued.AccessToken, func() { stop1(); stack.Close(); os.RemoveAll(dir) }, nil
}

// scenarioPaths are the URLs a scenario requests, round robin. The user
// scenario takes 1000 users spread over the whole org, found through the
// API.
func scenarioPaths(base, tok, scenario string) ([]string, error) {
	switch scenario {
	case "org":
		return []string{"/crm/v8/org"}, nil
	case "depth":
		return []string{"/crm/v8/users?per_page=200&page=1", "/crm/v8/users?per_page=200&page=500"}, nil
	case "page":
		var out []string
		for p := 1; p <= 500; p += 5 {
			out = append(out, fmt.Sprintf("/crm/v8/users?per_page=200&page=%d", p))
		}
		return out, nil
	}
	b, err := fetch(base+"/crm/v8/users/actions/count", tok)
	if err != nil {
		return nil, err
	}
	var count struct{ Count int }
	if err := json.Unmarshal(b, &count); err != nil {
		return nil, err
	}
	var out []string
	for page := 1; len(out) < 1000 && (page-1)*200 < count.Count; page += max(1, count.Count/200/5) {
		b, err := fetch(fmt.Sprintf("%s/crm/v8/users?per_page=200&page=%d", base, page), tok)
		if err != nil {
			return nil, err
		}
		var list struct{ Users []struct{ ID string } }
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, err
		}
		for _, u := range list.Users {
			if len(out) < 1000 {
				out = append(out, "/crm/v8/users/"+u.ID)
			}
		}
	}
	return out, nil
}

// peakRSS reads the process's peak resident set size (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}

func fetch(url, tok string) ([]byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b, nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
}

func load(base string, paths []string, bodies map[string][]byte, tok string, conc int, dur time.Duration) (result, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	var failed atomic.Value
	lats := make([][]time.Duration, conc)
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			reqs := make([]*http.Request, len(paths))
			for j, p := range paths {
				reqs[j], _ = http.NewRequest("GET", base+p, nil)
				reqs[j].Header.Set("Authorization", "Zoho-oauthtoken "+tok)
			}
			for k := i; time.Now().Before(deadline); k++ {
				req := reqs[k%len(reqs)]
				size := len(bodies[paths[k%len(paths)]])
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Store(err)
					return
				}
				m, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || int(m) != size {
					failed.Store(fmt.Errorf("status %d, %d bytes", resp.StatusCode, m))
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

func summary(name string, rs []result) float64 {
	var sum float64
	for _, r := range rs {
		sum += r.rps
	}
	mean := sum / float64(len(rs))
	last := rs[len(rs)-1]
	fmt.Printf("%-9s %9.0f req/s (mean of %d rounds; last round p50 %s, p99 %s)\n", name, mean, len(rs), last.p50, last.p99)
	return mean
}

// summarize is a round's result from each client's latencies: requests per
// second over dur, and the p50 and p99 of all of them.
func summarize(lats [][]time.Duration, n int64, dur time.Duration) (result, error) {
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return result{}, errors.New("no request completed")
	}
	slices.Sort(all)
	return result{rps: float64(n) / dur.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100]}, nil
}
