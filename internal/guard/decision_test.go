package guard_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// decide runs the stack's own pipeline on a request carrying auth (the
// whole Authorization header; "" sends none), asking it to say why.
func decide(t *testing.T, env *testenv.Env, auth string, scope access.RouteScope) (*guard.Decision, guard.Ticket) {
	t.Helper()
	d := &guard.Decision{}
	r := httptest.NewRequest("GET", "/crm/v8/org", nil)
	r = r.WithContext(guard.WithDecision(r.Context(), d))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	tk, _ := env.Guard.Authorize(r, scope)
	return d, tk
}

// TestDecisionSaysWhy: each step of the pipeline, made to deny by a real
// change to the org, is named with its reason in words; an allowed call
// says so and names its caller.
func TestDecisionSaysWhy(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true, Guard: guard.Config{Credits: 1 << 20}})
	ctx := context.Background()
	const (
		sales    = "patricia.boyle@example.com" // Sales: API access
		standard = "grace.nwosu@example.com"    // Standard: no API access
	)
	bearer := func(tok string) string { return "Zoho-oauthtoken " + tok }
	salesTok := env.Token(t, sales, "ZohoCRM.org.READ")
	revoked := env.Token(t, sales, "ZohoCRM.org.READ")
	if ok, err := env.Svc.Revoke(ctx, env.Admin, revoked); err != nil || !ok {
		t.Fatal("revoke", err)
	}
	standardTok := env.Token(t, standard, "ZohoCRM.users.READ")
	inactive := env.Token(t, standard, "ZohoCRM.users.READ")
	forged := "1000.00000000000000000000000000000000.00000000000000000000000000000000"

	cases := []struct {
		name, auth string
		scope      access.RouteScope
		before     func()
		want       string
	}{
		{"allowed", bearer(salesTok), access.ScopeOrgRead, nil, "allowed"},
		{"no header", "", access.ScopeOrgRead, nil, "denied at token: no Authorization header"},
		{"bearer scheme", "bEARER " + salesTok, access.ScopeOrgRead, nil, "allowed"},
		{"wrong scheme", "Basic " + salesTok, access.ScopeOrgRead, nil, `denied at token: the Authorization header is not "Zoho-oauthtoken <token>" or "Bearer <token>"`},
		{"forged", bearer(forged), access.ScopeOrgRead, nil, "denied at token: unknown or forged token (its check value does not match)"},
		{"revoked", bearer(revoked), access.ScopeOrgRead, nil, "denied at token: unknown, revoked or expired token"},
		{"scope", bearer(salesTok), access.ScopeUsersRead, nil, "denied at scope: the route needs ZohoCRM.users.READ, the token has ZohoCRM.org.READ"},
		{"api access", bearer(standardTok), access.ScopeUsersRead, nil, "denied at api_access: profile Standard lacks Zoho CRM API Access"},
		{"status", bearer(inactive), access.ScopeUsersRead, func() {
			u := env.User(t, standard)
			u.Status = crmguard.UserDisabled
			if err := env.Store.UpdateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			env.Svc.Changed()
		}, "denied at status: user is deactivated"},
		{"ip", bearer(salesTok), access.ScopeOrgRead, func() {
			if _, err := env.Svc.AddIPRule(ctx, env.Admin, service.IPRuleInput{Range: "10.0.0.0/8", AppliesTo: crmguard.IPRuleProfile, Target: "Sales"}); err != nil {
				t.Fatal(err)
			}
		}, "denied at ip: 192.0.2.1 is outside the IP rules for " + sales + ", profile Sales"},
		{"expired", bearer(salesTok), access.ScopeOrgRead, func() { env.Clock.Advance(61 * time.Minute) },
			"denied at token: token expired at "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before()
			}
			d, tk := decide(t, env, c.auth, c.scope)
			tk.Done()
			got := d.String()
			if c.name == "expired" && strings.HasPrefix(got, c.want) {
				got = c.want
			}
			if got != c.want {
				t.Errorf("got  %q\nwant %q", d.String(), c.want)
			}
			if c.name == "allowed" && (d.Principal == nil || d.Principal.Email != sales || d.Principal.ProfileName != "Sales") {
				t.Errorf("allowed call's principal: %+v", d.Principal)
			}
		})
	}
}

// TestDecisionLimits: the concurrency limit and the daily credits each
// deny at limits, with the number that was reached.
func TestDecisionLimits(t *testing.T) {
	env := testenv.New(t, testenv.Options{Guard: guard.Config{Credits: 2, Concurrency: 1}})
	auth := "Zoho-oauthtoken " + env.Token(t, "", "ZohoCRM.org.READ")
	d, held := decide(t, env, auth, access.ScopeOrgRead)
	if d.String() != "allowed" {
		t.Fatalf("first call: %s", d)
	}
	if d, _ := decide(t, env, auth, access.ScopeOrgRead); d.Step != guard.StepLimits || !strings.HasPrefix(d.Reason, "concurrency 1 reached") {
		t.Errorf("beside a call in flight: %s", d)
	}
	held.Done()
	_, tk := decide(t, env, auth, access.ScopeOrgRead)
	tk.Done()
	if d, _ := decide(t, env, auth, access.ScopeOrgRead); d.Step != guard.StepLimits || !strings.HasPrefix(d.Reason, "the org's 2 API credits") {
		t.Errorf("past the credits: %s", d)
	}
}

// TestNoDecisionNoRecord: without a holder in the context the pipeline
// records nothing and answers as always.
func TestNoDecisionNoRecord(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	r := httptest.NewRequest("GET", "/crm/v8/org", nil)
	if _, err := env.Guard.Authorize(r, access.ScopeOrgRead); err == nil {
		t.Fatal("no header allowed")
	}
	var d guard.Decision
	if d.String() != "" {
		t.Errorf("an undecided request says %q", d.String())
	}
}
