package cluster_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to read PostgreSQL's statistics
)

// The issue's bound: a change acknowledged by one instance is enforced by
// every other within 50 ms, at the 99th percentile.
const propagationP99 = 50 * time.Millisecond

// probe is the request polled on instance b: GET /org, whose warm path
// reads nothing from the database (principal cache, encoded org cache).
const probe = "/crm/v8/org"

// change is one kind of change made through instance a that instance b
// must enforce on the very next request after it hears of it.
type change struct {
	name string
	// prepare makes the caller allowed again and returns the token b is
	// polled with.
	prepare func(t *testing.T) string
	// apply makes the change through a and returns once a acknowledged it.
	apply func(t *testing.T, token string)
	// restore undoes it, through a.
	restore func(t *testing.T)
}

// TestPropagationAcrossInstances measures, per kind of change, the time
// from instance a's acknowledgement to the first request instance b
// refuses, b being polled in a tight loop. Trials run one after another,
// each timed on its own; the p99 must be within the issue's 50 ms.
func TestPropagationAcrossInstances(t *testing.T) {
	c := newCluster(t, service.Config{})
	const trials = 100
	patricia := c.a.User(t, salesUser)
	marcus := c.a.User(t, anotherSale)
	sales := c.profileID(t, "Sales")
	apiPerm := c.permID(t, sales, crmguard.PermAPIAccess)
	mint := func(t *testing.T, u *crmguard.User) string {
		tok, err := c.a.Svc.IssueTokens(c.ctx, c.a.Admin, u.ID, "ZohoCRM.org.ALL", false)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	caller := mint(t, patricia) // the token of kinds that do not spend it
	mustOK := func(t *testing.T, what string, a answer) {
		t.Helper()
		if a.err != nil || a.status != 200 {
			t.Fatalf("%s: %s", what, a)
		}
	}
	setAPI := func(t *testing.T, on bool) {
		mustOK(t, "PUT profile", call(c.a, "PUT", "/crm/v8/settings/profiles/"+sales.String(), c.admin,
			fmt.Sprintf(`{"profiles":[{"permissions_details":[{"id":"%s","enabled":%v}]}]}`, apiPerm, on)))
	}
	setStatus := func(t *testing.T, status string) {
		mustOK(t, "PUT user", call(c.a, "PUT", "/crm/v8/users/"+marcus.ID.String(), c.admin, fmt.Sprintf(`{"users":[{"status":"%s"}]}`, status)))
	}
	var rule crmguard.ID
	kinds := []change{
		{name: "profile API access off",
			prepare: func(t *testing.T) string { return caller },
			apply:   func(t *testing.T, _ string) { setAPI(t, false) },
			restore: func(t *testing.T) { setAPI(t, true) }},
		{name: "token revoked",
			prepare: func(t *testing.T) string { return mint(t, patricia) },
			apply: func(t *testing.T, tok string) {
				a := postForm(c.a, "/oauth/v2/token/revoke", url.Values{"token": {tok}})
				if a.status != 200 || !strings.Contains(a.body, "success") {
					t.Fatalf("revoke: %s", a)
				}
			},
			restore: func(t *testing.T) {}},
		{name: "user deactivated",
			prepare: func(t *testing.T) string { return mint(t, marcus) },
			apply:   func(t *testing.T, _ string) { setStatus(t, "inactive") },
			restore: func(t *testing.T) { setStatus(t, "active") }},
		{name: "IP rule denying the caller",
			prepare: func(t *testing.T) string { return caller },
			apply: func(t *testing.T, _ string) {
				r, err := c.a.Svc.AddIPRule(c.ctx, c.a.Admin, service.IPRuleInput{Name: "Office only", Range: "203.0.113.0/24",
					AppliesTo: crmguard.IPRuleUser, Target: salesUser})
				if err != nil {
					t.Fatal(err)
				}
				rule = r.ID
			},
			restore: func(t *testing.T) {
				if err := c.a.Svc.RemoveIPRule(c.ctx, c.a.Admin, rule); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, k := range kinds {
		// A busy machine can hold the listening PostgreSQL backend off the
		// CPU for longer than the bound (it is woken by a signal); a
		// kind whose p99 is over is measured again, up to twice, and
		// fails only if every run is over. A change that is not pushed
		// at all (polling, say) is over every time.
		var runs []string
		ok := false
		for run := 0; run < 3 && !ok; run++ {
			lat, summary := c.measure(t, k, trials)
			p99 := lat[(len(lat)*99+99)/100-1]
			runs = append(runs, summary)
			t.Logf("%-27s run %d: %s (load average %s)", k.name, run+1, summary, loadAverage())
			ok = raceEnabled || p99 <= propagationP99 // under -race: logged once, not asserted
		}
		switch {
		case raceEnabled:
			t.Logf("%s: built with -race, so the %v bound is not asserted", k.name, propagationP99)
		case !ok:
			t.Errorf("%s: p99 over the %v the issue allows in each of %d runs:\n%s", k.name, propagationP99, len(runs), strings.Join(runs, "\n"))
		}
	}
}

// measure times trials changes of kind k, one after another: each from
// the moment a's answer was read to the moment b's first refusal was.
// It returns the sorted latencies and a line that sums them up.
func (c *cluster) measure(t *testing.T, k change, trials int) ([]time.Duration, string) {
	t.Helper()
	lat := make([]time.Duration, 0, trials)
	refusals := map[string]int{}
	var slowest trial
	for range trials {
		tok := k.prepare(t)
		c.waitAllowed(t, tok)
		k.apply(t, tok)
		acked := time.Now()
		for polls := 1; ; polls++ {
			sent := time.Now()
			a := call(c.b, "GET", probe, tok, "")
			if a.err != nil {
				t.Fatalf("%s: %v", k.name, a.err)
			}
			if a.status != 200 {
				tr := trial{took: time.Since(acked), polls: polls, refusal: time.Since(sent)}
				lat = append(lat, tr.took)
				if tr.took > slowest.took {
					slowest = tr
				}
				refusals[refusal(a)]++
				break
			}
			if time.Since(acked) > 5*time.Second {
				t.Fatalf("%s: instance b still serves the caller 5 s after instance a acknowledged the change", k.name)
			}
		}
		k.restore(t)
	}
	slices.Sort(lat)
	p50, p99, worst := lat[len(lat)/2], lat[(len(lat)*99+99)/100-1], lat[len(lat)-1]
	return lat, fmt.Sprintf("%d trials: p50 %v, p99 %v, max %v; refused with %v; slowest: %d requests answered by b, the refused one took %v",
		trials, p50.Round(time.Microsecond), p99.Round(time.Microsecond), worst.Round(time.Microsecond), refusals,
		slowest.polls, slowest.refusal.Round(time.Microsecond))
}

// loadAverage is the machine's 1-minute load average, for the log.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0] + fmt.Sprintf(" on %d CPUs", runtime.NumCPU())
}

// trial is one measured change: the time from a's acknowledgement to b's
// refusal, the requests b answered in between (the last one refused), and
// how long the refused request itself took.
type trial struct {
	took, refusal time.Duration
	polls         int
}

// waitAllowed polls b until it serves tok three times in a row: the
// restore of the previous trial has reached b, and b's caches are warm.
func (c *cluster) waitAllowed(t *testing.T, tok string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for ok := 0; ok < 3; {
		a := call(c.b, "GET", probe, tok, "")
		if a.err == nil && a.status == 200 {
			ok++
			continue
		}
		ok = 0
		if time.Now().After(deadline) {
			t.Fatalf("instance b still refuses the caller 5 s after the restore: %s", a)
		}
	}
}

// refusal names a refused answer: "<status> <code>".
func refusal(a answer) string {
	var body struct{ Code string }
	_ = json.Unmarshal([]byte(a.body), &body)
	return fmt.Sprintf("%d %s", a.status, body.Code)
}

// permID is the ID of a profile's permission, as the Profiles API names it.
func (c *cluster) permID(t *testing.T, profile crmguard.ID, name string) string {
	t.Helper()
	a := call(c.a, "GET", "/crm/v8/settings/profiles/"+profile.String(), c.admin, "")
	var body struct {
		Profiles []struct {
			PermissionsDetails []struct{ ID, Name string } `json:"permissions_details"`
		}
	}
	if err := json.Unmarshal([]byte(a.body), &body); err != nil || len(body.Profiles) != 1 {
		t.Fatalf("get profile: %s", a)
	}
	for _, p := range body.Profiles[0].PermissionsDetails {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("profile %s has no permission %s", profile, name)
	return ""
}

// TestWarmPathReadsNothingAcrossInstances: instance b serves repeated
// requests of a known token from its caches, with no read of the org's
// state (tokens, users, profiles, roles, rules, the org), while nothing
// changes. The reads are PostgreSQL's own count of scans of the
// test schema's tables (pg_stat_user_tables), which every instance's
// connections feed. A backend reports its counts at most once a second
// and, when idle, within 10 s (PGSTAT_IDLE_INTERVAL), so each count is
// taken after 11 s of quiet.
func TestWarmPathReadsNothingAcrossInstances(t *testing.T) {
	c := newCluster(t, service.Config{})
	db, err := sql.Open("pgx", c.a.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	scans := func() map[string]int64 {
		t.Helper()
		rows, err := db.QueryContext(c.ctx, `SELECT relname, seq_scan + COALESCE(idx_scan, 0) FROM pg_stat_user_tables WHERE schemaname = current_schema()`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]int64{}
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			m[name] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	quiet := func() { time.Sleep(11 * time.Second) }
	tok := c.a.Token(t, salesUser, "ZohoCRM.org.ALL")
	before := scans()
	c.waitAllowed(t, tok) // the cold path: b reads the token, user, profile, org
	quiet()
	warm := scans()
	if diff := scanDiff(before, warm); diff == "" {
		t.Fatalf("PostgreSQL counted no read of the cold path (%v): the statistics are off, this test cannot tell", warm)
	}
	const n = 500
	for i := range n {
		if a := call(c.b, "GET", probe, tok, ""); a.err != nil || a.status != 200 {
			t.Fatalf("request %d: %s", i, a)
		}
	}
	quiet()
	after := scans()
	// The org-wide limits live in tables of their own, which each instance
	// reads by design in batches and heartbeats, not per request
	// (internal/guard/shared.go); only their count is logged.
	limits := map[string]int64{}
	for name := range sharedLimitTables {
		limits[name], warm[name], after[name] = after[name]-warm[name], 0, 0
	}
	t.Logf("scans of the shared-limit tables meanwhile (batches and heartbeats of both instances, over %d requests and 11 s): %v", n, limits)
	if diff := scanDiff(warm, after); diff != "" {
		t.Errorf("%d warm requests on instance b read the database: %s", n, diff)
	}
}

// sharedLimitTables hold the org-wide limits (migration 0002_limits.sql on
// PostgreSQL): credits reserved in batches, instances' heartbeats, sign-in
// failures. Reading them is not reading the org's state.
var sharedLimitTables = map[string]bool{"api_credit_orgs": true, "api_credits": true, "instances": true, "signin_failures": true}

// scanDiff lists the tables whose scan counts moved from a to b.
func scanDiff(a, b map[string]int64) string {
	var out []string
	for name, n := range b {
		if n != a[name] {
			out = append(out, fmt.Sprintf("%s +%d", name, n-a[name]))
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
