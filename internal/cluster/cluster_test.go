package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// adminScopes are what the admin's API token may do in these tests.
const adminScopes = "ZohoCRM.users.ALL,ZohoCRM.settings.ALL,ZohoCRM.org.ALL"

// Demo users (internal/service/demo.go).
const (
	salesUser   = "patricia.boyle@example.com" // Sales profile: API access
	anotherSale = "marcus.webb@example.com"    // Sales profile: API access
)

// cluster is two instances on one PostgreSQL database: a made it (and the
// demo org), b opened the same database as a second stack, with caches
// and a LISTEN connection of its own.
type cluster struct {
	a, b  *testenv.Env
	ctx   context.Context
	admin string // the admin's access token, good on both
}

// newCluster starts two instances sharing a fresh PostgreSQL schema, both
// with cfg. The guard's credit and concurrency limits are raised out of
// the way: these tests are about the org's rules, not its API budget.
func newCluster(t *testing.T, cfg service.Config) *cluster {
	t.Helper()
	g := guard.Config{Credits: 1 << 30, Concurrency: 1 << 20}
	a := testenv.New(t, testenv.Options{Backend: testenv.Postgres, Demo: true, Service: cfg, Guard: g})
	b := testenv.New(t, testenv.Options{Database: a.Path, Service: cfg, Guard: g})
	if a.Store.Dialect() != "postgres" || b.Store.Dialect() != "postgres" {
		t.Fatalf("dialects %s and %s, want postgres", a.Store.Dialect(), b.Store.Dialect())
	}
	c := &cluster{a: a, b: b, ctx: context.Background()}
	c.admin = a.Token(t, "", adminScopes)
	c.setLicences(t, 1000)
	return c
}

// on is instance i%2: requests alternate between the two.
func (c *cluster) on(i int) *testenv.Env {
	if i%2 == 0 {
		return c.a
	}
	return c.b
}

// setLicences sets the org's licence count, as users_test.go does.
func (c *cluster) setLicences(t *testing.T, n int) {
	t.Helper()
	o, err := c.a.Store.GetOrg(c.ctx, c.a.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	o.LicenseUsers = n
	if err := c.a.Store.UpdateOrg(c.ctx, o); err != nil {
		t.Fatal(err)
	}
}

func (c *cluster) roleID(t *testing.T, name string) crmguard.ID {
	t.Helper()
	r, err := c.a.Store.GetRoleByName(c.ctx, c.a.Org.ID, name)
	if err != nil {
		t.Fatalf("role %s: %v", name, err)
	}
	return r.ID
}

func (c *cluster) profileID(t *testing.T, name string) crmguard.ID {
	t.Helper()
	p, err := c.a.Store.GetProfileByName(c.ctx, c.a.Org.ID, name)
	if err != nil {
		t.Fatalf("profile %s: %v", name, err)
	}
	return p.ID
}

// answer is one HTTP exchange, made from any goroutine.
type answer struct {
	status int
	body   string
	err    error
}

func (a answer) String() string {
	if a.err != nil {
		return a.err.Error()
	}
	return fmt.Sprintf("%d %s", a.status, a.body)
}

// call sends a request to e without touching t, so that goroutines may.
func call(e *testenv.Env, method, path, token, body string) answer {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		return answer{err: err}
	}
	if token != "" {
		req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
	}
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), err: err}
}

// postForm posts a form to e, as an OAuth client does.
func postForm(e *testenv.Env, path string, form url.Values) answer {
	resp, err := e.Server.Client().PostForm(e.URL+path, form)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), err: err}
}

// together runs f(0) … f(n-1) at once: every goroutine waits at a gate
// that opens when all have started, so the requests overlap as much as
// they can.
func together(n int, f func(i int)) {
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			f(i)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
}

// outcome is the first result of a Zoho API answer {key: [{...}]}.
type outcome struct {
	Status  string         `json:"status"`
	Code    string         `json:"code"`
	Details map[string]any `json:"details"`
}

// firstOutcome reads the first result under key; ok is false when the
// body is not of that shape.
func firstOutcome(a answer, key string) (outcome, bool) {
	var body map[string][]outcome
	if a.err != nil || json.Unmarshal([]byte(a.body), &body) != nil || len(body[key]) == 0 {
		return outcome{}, false
	}
	return body[key][0], true
}

// tally counts answers by "<HTTP status> <code>", for the messages.
func tally(answers []answer, key string) map[string]int {
	m := map[string]int{}
	for _, a := range answers {
		o, ok := firstOutcome(a, key)
		switch {
		case a.err != nil:
			m["error: "+a.err.Error()]++
		case ok:
			m[fmt.Sprintf("%d %s", a.status, o.Code)]++
		default:
			m[fmt.Sprintf("%d %.80s", a.status, a.body)]++
		}
	}
	return m
}

// expectOutcomes checks that exactly wantOK answers succeeded (HTTP
// okStatus, code SUCCESS) and that every other one is the refusal
// refused, and returns the IDs the successes created.
func expectOutcomes(t *testing.T, answers []answer, key string, okStatus, wantOK int, refused string) []string {
	t.Helper()
	var ids []string
	bad := 0
	for _, a := range answers {
		o, ok := firstOutcome(a, key)
		switch {
		case ok && a.status == okStatus && o.Code == "SUCCESS":
			id, _ := o.Details["id"].(string)
			ids = append(ids, id)
		case ok && o.Status == "error" && o.Code == refused:
		default:
			bad++
		}
	}
	if len(ids) != wantOK || bad > 0 {
		t.Errorf("%d succeeded, want exactly %d; %d answers neither succeeded nor were %s; all: %v", len(ids), wantOK, bad, refused, tally(answers, key))
	}
	return ids
}

// tokenAnswer is an answer of POST /oauth/v2/token.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
}

func parseToken(a answer) tokenAnswer {
	var ta tokenAnswer
	if a.err != nil {
		ta.Error = "transport: " + a.err.Error()
	} else if err := json.Unmarshal([]byte(a.body), &ta); err != nil {
		ta.Error = fmt.Sprintf("HTTP %d, not JSON: %.80s", a.status, a.body)
	}
	return ta
}
