package zohoapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/testenv"
)

const (
	standardUser = "grace.nwosu@example.com"    // Standard: no API access
	salesUser    = "patricia.boyle@example.com" // Sales: API access, role Manager
	inactiveUser = "oliver.brandt@example.com"  // deactivated, Standard
	supportUser  = "chloe.dubois@example.com"   // Support: no API access
	orgScope     = "ZohoCRM.org.READ"
	allScopes    = "ZohoCRM.org.ALL,ZohoCRM.users.ALL"
)

func setStatus(t *testing.T, env *testenv.Env, email, status string) {
	t.Helper()
	u := env.User(t, email)
	u.Status = status
	if err := env.Store.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	env.Svc.Changed()
}

func setAPIAccess(t *testing.T, env *testenv.Env, profile string, on bool) {
	t.Helper()
	p, err := env.Svc.ProfileByRef(context.Background(), env.Org.ID, profile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SetProfilePermissions(context.Background(), env.Admin, p.ID, map[string]bool{crmguard.PermAPIAccess: on}); err != nil {
		t.Fatal(err)
	}
}

// TestPipelineDenials pins each denial of the request pipeline, in the order
// of checks, each proven by a request that triggers it.
func TestPipelineDenials(t *testing.T) {
	testenv.EachBackend(t, pipelineDenials)
}

func pipelineDenials(t *testing.T, b testenv.Backend) {
	env := testenv.New(t, testenv.Options{Backend: b, Demo: true})
	ctx := context.Background()
	admin := env.Token(t, "", allScopes)

	// An inactive user's token made while active.
	inactiveTok := func() string {
		setStatus(t, env, inactiveUser, crmguard.UserActive)
		tok := env.Token(t, inactiveUser, "ZohoCRM.users.READ")
		setStatus(t, env, inactiveUser, crmguard.UserDisabled)
		return tok
	}()
	expired := env.Token(t, "", allScopes)
	revoked := env.Token(t, "", allScopes)
	if ok, err := env.Svc.Revoke(ctx, env.Admin, revoked); err != nil || !ok {
		t.Fatal("revoke", err)
	}

	cases := []struct {
		name, method, path, token string
		header                    []string
		before                    func()
	}{
		{name: "01_unknown_route", method: "GET", path: "/crm/v8/nope", token: admin},
		{name: "01_unknown_route_outside_crm", method: "GET", path: "/nope"},
		{name: "01_wrong_method", method: "DELETE", path: "/crm/v8/org", token: admin},
		{name: "01_unknown_version", method: "GET", path: "/crm/v9/org", token: admin},
		{name: "02_no_header", method: "GET", path: "/crm/v8/org"},
		{name: "02_wrong_scheme", method: "GET", path: "/crm/v8/org", header: []string{"Authorization", "Basic " + admin}},
		{name: "02_unknown_token", method: "GET", path: "/crm/v8/org", token: "1000.00000000000000000000000000000000.00000000000000000000000000000000"},
		{name: "02_revoked_token", method: "GET", path: "/crm/v8/org", token: revoked},
		// The inactive user also lacks API access and the scope: status comes first.
		{name: "03_inactive_user", method: "GET", path: "/crm/v8/org", token: inactiveTok},
		// Standard lacks API access and the token lacks the org scope: API access comes first.
		{name: "05_no_api_access", method: "GET", path: "/crm/v8/org", token: env.Token(t, standardUser, "ZohoCRM.users.READ")},
		{name: "06_scope_mismatch", method: "GET", path: "/crm/v8/org", token: env.Token(t, salesUser, "ZohoCRM.users.READ")},
		// Last, as it moves the clock past every token's hour.
		{name: "02_expired_token", method: "GET", path: "/crm/v8/org", token: expired, before: func() { env.Clock.Advance(61 * time.Minute) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before()
			}
			testenv.GoldenResponse(t, "pipeline/"+c.name, env.Do(t, c.method, c.path, c.token, "", c.header...))
		})
	}
	// The admin's token issued before the clock moved is expired too; a
	// fresh one still works: the denials above were not a broken server.
	if resp := env.Do(t, "GET", "/crm/v8/org", env.Token(t, "", orgScope), ""); resp.StatusCode != 200 {
		t.Fatalf("a good token: %d", resp.StatusCode)
	}
}

func TestPipelineIPRules(t *testing.T) {
	testenv.EachBackend(t, pipelineIPRules)
}

func pipelineIPRules(t *testing.T, b testenv.Backend) {
	env := testenv.New(t, testenv.Options{Backend: b, Demo: true})
	ctx := context.Background()
	sales := env.Token(t, salesUser, allScopes)
	admin := env.Token(t, "", allScopes)
	add := func(cidr, applies, target string) *crmguard.IPRule {
		r, err := env.Svc.AddIPRule(ctx, env.Admin, service.IPRuleInput{Range: cidr, AppliesTo: applies, Target: target})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	status := func(tok string) int {
		resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
		resp.Body.Close()
		return resp.StatusCode
	}
	// Rules for another role, profile or user do not bind the Sales user.
	add("203.0.113.0/24", crmguard.IPRuleRole, "CEO")
	add("2001:db8::/32", crmguard.IPRuleProfile, "Support")
	add("198.51.100.7", crmguard.IPRuleUser, supportUser)
	if s := status(sales); s != 200 {
		t.Fatalf("rules for others bound the Sales user: %d", s)
	}
	// The admin (role CEO) is bound and calls from 127.0.0.1: denied.
	resp := env.Do(t, "GET", "/crm/v8/org", admin, "")
	testenv.GoldenResponse(t, "pipeline/04_ip_denied", resp)
	// A rule for the Sales profile that includes loopback allows; one that
	// does not, denies.
	r := add("127.0.0.0/8", crmguard.IPRuleProfile, "Sales")
	if s := status(sales); s != 200 {
		t.Errorf("Sales inside its range: %d", s)
	}
	if err := env.Svc.RemoveIPRule(ctx, env.Admin, r.ID); err != nil {
		t.Fatal(err)
	}
	add("10.0.0.0/8", crmguard.IPRuleUser, salesUser)
	if s := status(sales); s != 403 {
		t.Errorf("Sales outside its range: %d", s)
	}
	// The IP check comes before the scope check.
	wrongScope := env.Token(t, salesUser, "ZohoCRM.users.READ")
	if resp := env.Do(t, "GET", "/crm/v8/org", wrongScope, ""); resp.StatusCode != 403 {
		t.Errorf("denied IP with wrong scope: %d, want the IP denial", resp.StatusCode)
	}
}

func TestPipelineLimits(t *testing.T) {
	testenv.EachBackend(t, pipelineLimits)
}

func pipelineLimits(t *testing.T, b testenv.Backend) {
	t.Run("credits", func(t *testing.T) {
		env := testenv.New(t, testenv.Options{Backend: b, Guard: guard.Config{Credits: 3}})
		tok := env.Token(t, "", orgScope)
		for i := 0; i < 3; i++ {
			if resp := env.Do(t, "GET", "/crm/v8/org", tok, ""); resp.StatusCode != 200 {
				t.Fatalf("call %d: %d", i+1, resp.StatusCode)
			}
		}
		testenv.GoldenResponse(t, "pipeline/07_credits_exhausted", env.Do(t, "GET", "/crm/v8/org", tok, ""))
	})
	t.Run("concurrency", func(t *testing.T) {
		env := testenv.New(t, testenv.Options{Backend: b, Guard: guard.Config{Concurrency: 1}})
		tok := env.Token(t, "", orgScope)
		held := httptest.NewRequest("GET", "/crm/v8/org", nil)
		held.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		ticket, err := env.Guard.Authorize(held, access.ScopeOrgRead)
		if err != nil {
			t.Fatal(err)
		}
		testenv.GoldenResponse(t, "pipeline/07_concurrency_exceeded", env.Do(t, "GET", "/crm/v8/org", tok, ""))
		ticket.Done()
		if resp := env.Do(t, "GET", "/crm/v8/org", tok, ""); resp.StatusCode != 200 {
			t.Errorf("after the slot was released: %d", resp.StatusCode)
		}
	})
}

// TestChangesApplyOnTheVeryNextRequest: with the principal cached, turning
// API access off denies the very next call; on again allows it.
func TestChangesApplyOnTheVeryNextRequest(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	tok := env.Token(t, salesUser, orgScope)
	want := func(code int) {
		t.Helper()
		resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
		resp.Body.Close()
		if resp.StatusCode != code {
			t.Fatalf("got %d, want %d", resp.StatusCode, code)
		}
	}
	want(200)
	want(200) // warm
	setAPIAccess(t, env, "Sales", false)
	want(403)
	setAPIAccess(t, env, "Sales", true)
	want(200)
	setStatus(t, env, salesUser, crmguard.UserDisabled)
	want(403)
}

// TestChangesFromAnotherProcess: a change written through a second store
// on the same file (as the CLI does) reaches the server's cache by polling.
func TestChangesFromAnotherProcess(t *testing.T) {
	env := testenv.New(t, testenv.Options{PollInterval: 10 * time.Millisecond})
	ctx := context.Background()
	tok := env.Token(t, "", orgScope)
	if resp := env.Do(t, "GET", "/crm/v8/org", tok, ""); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	other, err := sqlstore.OpenSQLite(ctx, env.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := service.New(other, service.Config{}, nil).AddIPRule(ctx, env.Admin, service.IPRuleInput{Range: "203.0.113.0/24", AppliesTo: crmguard.IPRuleAll}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
		resp.Body.Close()
		if resp.StatusCode == 403 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a rule written by another process never applied: %d", resp.StatusCode)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOrgAllVersionsAndOperations(t *testing.T) {
	testenv.EachBackend(t, orgAllVersionsAndOperations)
}

func orgAllVersionsAndOperations(t *testing.T, b testenv.Backend) {
	env := testenv.New(t, testenv.Options{Backend: b})
	tok := env.Token(t, "", orgScope)
	// The keys differ by version: deletable_org_account from v3, the keys
	// of Zoho's v8.0 OpenAPI schema on v8 (see orgJSON). Each group of
	// versions answers alike, pinned by the golden of its first version.
	first := map[string][]byte{}
	for _, v := range []string{"v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"} {
		group := map[string]string{"v2": "get", "v2.1": "get", "v8": "get_v8"}[v]
		if group == "" {
			group = "get_v3"
		}
		got := testenv.Dump(t, env.Do(t, "GET", "/crm/"+v+"/org", tok, ""))
		if first[group] == nil {
			first[group] = got
			testenv.Golden(t, "org/"+group, got)
		} else if string(got) != string(first[group]) {
			t.Errorf("/crm/%s/org differs from the first version of its group (org/%s):\n%s", v, group, got)
		}
	}
	// Operations endpoints, and the denials counted by reason.
	env.Do(t, "GET", "/crm/v8/org", "", "").Body.Close()
	for path, want := range map[string]string{
		"/healthz": "ok", "/readyz": "ready",
		"/metrics": `crmguard_api_denials_total{reason="AUTHENTICATION_FAILURE"} 1`,
	} {
		resp := env.Do(t, "GET", path, "", "")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d, lacks %q", path, resp.StatusCode, want)
		}
	}
	resp := env.Do(t, "GET", "/metrics", "", "")
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), fmt.Sprintf(`crmguard_http_requests_total{code="200",route="GET /crm/{version}/org"} %d`, 8)) {
		t.Errorf("requests by route pattern not counted:\n%s", grep(string(metrics), "crmguard_http_requests_total"))
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

var _ = http.StatusOK
