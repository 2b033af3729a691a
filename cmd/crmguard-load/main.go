// Command crmguard-load measures GET /crm/v8/org through the whole crmguard
// stack against a bare net/http handler that returns the same bytes, in one
// run, on loopback, and prints the ratio of their throughputs.
//
//	go run ./cmd/crmguard-load -c 16 -d 5s -rounds 3
package main

import (
	"context"
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
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/oauth"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/web"
)

func main() {
	conc := flag.Int("c", 16, "concurrent keep-alive clients")
	dur := flag.Duration("d", 5*time.Second, "duration of each round")
	rounds := flag.Int("rounds", 3, "rounds per server, alternating bare and crmguard")
	accessLog := flag.Bool("access-log", false, "format crmguard's JSON access log line per request (written to io.Discard)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: crmguard-load [-c N] [-d DURATION] [-rounds N]\n\n"+
			"Compares GET /crm/v8/org through crmguard (SQLite, pipeline; access logs off unless -access-log)\nwith a bare "+
			"net/http handler serving the same bytes, both on loopback in this process.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *conc < 1 || *dur <= 0 || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "crmguard-load: -c, -d and -rounds must be positive")
		os.Exit(2)
	}
	if err := run(*conc, *dur, *rounds, *accessLog); err != nil {
		fmt.Fprintln(os.Stderr, "crmguard-load:", err)
		os.Exit(1)
	}
}

func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func run(conc int, dur time.Duration, rounds int, accessLog bool) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "crmguard-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "crmguard.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	level, logs := slog.LevelWarn, "off"
	if accessLog {
		level, logs = slog.LevelInfo, "on (JSON, discarded)"
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level}))
	svc := service.New(st, service.Config{}, nil)
	boot, err := svc.EnsureOrg(ctx, service.BootstrapOptions{})
	if err != nil {
		return err
	}
	// Credits past any run: the load measures the pipeline, not the 429 of an
	// org's daily budget.
	stack := server.Build(svc, st.Ping, log, oauth.GuardConfig{Credits: 1 << 40, Concurrency: 1 << 20})
	crmURL, stop1, err := serve(stack.Handler)
	if err != nil {
		return err
	}
	defer stop1()
	admin := crmguard.Actor{OrgID: boot.Org.ID, UserID: boot.Admin.ID, Source: crmguard.SourceCLI}
	issued, err := svc.IssueTokens(ctx, admin, boot.Admin.ID, "ZohoCRM.org.READ", false)
	if err != nil {
		return err
	}
	tok := issued.AccessToken
	body, err := fetch(crmURL+"/crm/v8/org", tok)
	if err != nil {
		return err
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = web.WriteRawJSON(w, http.StatusOK, body)
	})
	bareURL, stop2, err := serve(bare)
	if err != nil {
		return err
	}
	defer stop2()
	fmt.Printf("GET /crm/v8/org (%d bytes), %d clients, %s rounds, access logs %s, %d CPUs\n", len(body), conc, dur, logs, runtime.NumCPU())
	var res = map[string][]result{}
	for i := 0; i < rounds; i++ {
		for _, s := range []struct{ name, url string }{{"bare", bareURL}, {"crmguard", crmURL}} {
			fmt.Fprintf(os.Stderr, "round %d/%d: %s...\n", i+1, rounds, s.name)
			r, err := load(s.url+"/crm/v8/org", tok, conc, dur, len(body))
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			res[s.name] = append(res[s.name], r)
		}
	}
	b, c := summary("bare", res["bare"]), summary("crmguard", res["crmguard"])
	fmt.Printf("ratio crmguard/bare (requests/s): %.2f\n", c/b)
	return nil
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

func load(url, tok string, conc int, dur time.Duration, size int) (result, error) {
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
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
			for time.Now().Before(deadline) {
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
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return result{}, errors.New("no request completed")
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return result{rps: float64(n.Load()) / dur.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100]}, nil
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
