package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// checkPageHeaders: a page of the accounts site may not be framed, sniffed
// or submit forms elsewhere, and passes no Referer on.
func checkPageHeaders(t *testing.T, name string, resp *http.Response, formAction string) {
	t.Helper()
	resp.Body.Close()
	want := "default-src 'self'; style-src 'unsafe-inline'; form-action " + formAction + "; frame-ancestors 'none'"
	if got := resp.Header.Get("Content-Security-Policy"); got != want {
		t.Errorf("%s: Content-Security-Policy %q, want %q", name, got, want)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", name, got)
	}
	if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q", name, got)
	}
}

// TestAccountsPagesHeaders: the login, password, consent, error and
// invitation pages send CSP, nosniff and no-referrer; the consent page's
// form-action allows the client's redirect URI, where its answer goes.
func TestAccountsPagesHeaders(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	b := newAccounts(t, env)
	resp, _ := b.page()
	checkPageHeaders(t, "login", resp, "'self'")
	resp, page := b.signIn(env.Boot.Admin.Email, env.Boot.AdminPassword)
	checkPageHeaders(t, "one-time password change", resp, "'self'")
	f := formFields(t, page)
	f.Set("current", env.Boot.AdminPassword)
	f.Set("next", ownPassword)
	f.Set("confirm", ownPassword)
	if resp, _ := b.post("/oauth/v2/auth/password", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change: %d", resp.StatusCode)
	}
	resp, page = b.page()
	if !strings.Contains(page, "wants to access") {
		t.Fatal("no consent page")
	}
	checkPageHeaders(t, "consent", resp, "'self' http://127.0.0.1:9")
	resp, _ = b.hc.Get(env.URL + "/oauth/v2/auth?client_id=1000.NOPE")
	checkPageHeaders(t, "error", resp, "'self'")

	link, err := env.Svc.Reinvite(context.Background(), env.Admin, env.User(t, "priya.raman@example.com").ID)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	checkPageHeaders(t, "invitation", resp, "'self'")
	resp, err = http.PostForm(link, url.Values{"password": {"short"}, "confirm": {"short"}})
	if err != nil {
		t.Fatal(err)
	}
	checkPageHeaders(t, "invitation refused", resp, "'self'")
	resp, err = http.Get(env.URL + "/invite/nope")
	if err != nil {
		t.Fatal(err)
	}
	checkPageHeaders(t, "unknown invitation", resp, "'self'")
}

// TestTokenResponsesAreNotSniffed: the token and revoke endpoints' JSON,
// answers and errors alike, carries nosniff (web.SecurityHeaders sets it on
// every answer of the server).
func TestTokenResponsesAreNotSniffed(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	for name, resp := range map[string]*http.Response{
		"token":        post(t, env, "/oauth/v2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {env.Boot.SelfClient.ClientID}, "client_secret": {env.Boot.ClientSecret}, "refresh_token": {issueRefresh(t, env)}}),
		"token error":  post(t, env, "/oauth/v2/token", url.Values{"grant_type": {"nope"}}),
		"revoke":       post(t, env, "/oauth/v2/token/revoke", url.Values{"token": {issueRefresh(t, env)}}),
		"revoke error": post(t, env, "/oauth/v2/token/revoke", url.Values{"token": {"1000.nope"}}),
	} {
		resp.Body.Close()
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: X-Content-Type-Options %q, Content-Type %q", name, got, resp.Header.Get("Content-Type"))
		}
	}
}
