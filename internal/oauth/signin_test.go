package oauth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

const ownPassword = "the admin's own password"

// accounts is a browser on the accounts pages: a cookie jar, no redirects
// followed, and the authorization request of a registered client.
type accounts struct {
	t   *testing.T
	env *testenv.Env
	hc  *http.Client
	q   url.Values
}

func newAccounts(t *testing.T, env *testenv.Env) *accounts {
	t.Helper()
	c, _, err := env.Svc.CreateClient(context.Background(), env.Admin, "Test app", crmguard.ClientServer, []string{"http://127.0.0.1:9/cb"})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	return &accounts{t: t, env: env, q: url.Values{"client_id": {c.ClientID}, "response_type": {"code"},
		"redirect_uri": {"http://127.0.0.1:9/cb"}, "scope": {"ZohoCRM.org.READ"}, "state": {"s"}},
		hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page GETs the authorization page.
func (b *accounts) page() (*http.Response, string) {
	b.t.Helper()
	resp, err := b.hc.Get(b.env.URL + "/oauth/v2/auth?" + b.q.Encode())
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, readBody(b.t, resp)
}

func (b *accounts) post(path string, f url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.hc.PostForm(b.env.URL+path, f)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, readBody(b.t, resp)
}

// signIn fills the login form of a fresh page.
func (b *accounts) signIn(email, password string) (*http.Response, string) {
	b.t.Helper()
	_, page := b.page()
	f := formFields(b.t, page)
	f.Set("email", email)
	f.Set("password", password)
	return b.post("/oauth/v2/auth/login", f)
}

func (b *accounts) session() bool {
	u, _ := url.Parse(b.env.URL)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == "crmguard_session" {
			return true
		}
	}
	return false
}

func ownPasswordEnv(t *testing.T) *testenv.Env {
	t.Helper()
	env := testenv.New(t, testenv.Options{})
	if err := env.Svc.ChangePassword(context.Background(), env.Admin, env.Boot.AdminPassword, ownPassword); err != nil {
		t.Fatal(err)
	}
	return env
}

// TestAccountsLoginIsThrottled: after five wrong passwords the right one
// is refused on the accounts page, and on the console's sign-in too: one
// policy, whichever page is used.
func TestAccountsLoginIsThrottled(t *testing.T) {
	env := ownPasswordEnv(t)
	b := newAccounts(t, env)
	email := env.Boot.Admin.Email
	for i := 0; i < 5; i++ {
		if resp, page := b.signIn(email, "wrong"); resp.StatusCode != 401 || !strings.Contains(page, "not right") {
			t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, page := b.signIn(email, ownPassword)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "900" || !strings.Contains(page, "Too many failed sign-ins") || b.session() {
		t.Fatalf("the right password after five failures: %d Retry-After %q, session %v", resp.StatusCode, resp.Header.Get("Retry-After"), b.session())
	}
	// The console's sign-in counts the same failures.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(env.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(readBody(t, resp))[1]
	resp, err = hc.PostForm(env.URL+"/console/login", url.Values{"csrf": {csrf}, "email": {email}, "password": {ownPassword}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("console sign-in after five failures on the accounts page: %d, want 429", resp.StatusCode)
	}
}

// TestAccountsLoginNeedsItsToken: the sign-in form is refused without the
// double-submit token of its cookie, so another site cannot sign a
// browser in to an account of its choosing.
func TestAccountsLoginNeedsItsToken(t *testing.T) {
	env := ownPasswordEnv(t)
	b := newAccounts(t, env)
	_, page := b.page()
	f := formFields(t, page)
	if f.Get("csrf") == "" {
		t.Fatal("no csrf field on the login page")
	}
	f.Set("email", env.Boot.Admin.Email)
	f.Set("password", ownPassword)

	// A forged form from another site: no cookie of ours.
	forged := url.Values{"q": {f.Get("q")}, "csrf": {f.Get("csrf")}, "email": {f.Get("email")}, "password": {ownPassword}}
	resp, err := http.PostForm(env.URL+"/oauth/v2/auth/login", forged)
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != http.StatusForbidden || hasCookie(resp, "crmguard_session") {
		t.Errorf("without the cookie: %d", resp.StatusCode)
	}
	// The cookie, but another token in the form.
	bad := url.Values{}
	for k, v := range f {
		bad[k] = v
	}
	bad.Set("csrf", strings.Repeat("0", len(f.Get("csrf"))))
	if resp, _ := b.post("/oauth/v2/auth/login", bad); resp.StatusCode != http.StatusForbidden || b.session() {
		t.Errorf("with a wrong token: %d", resp.StatusCode)
	}
	// The refusal set a fresh token; the form with it signs in.
	_, page = b.page()
	f.Set("csrf", formFields(t, page).Get("csrf"))
	if resp, _ := b.post("/oauth/v2/auth/login", f); resp.StatusCode != http.StatusSeeOther || !b.session() {
		t.Errorf("with the token: %d", resp.StatusCode)
	}
}

// TestAccountsForcedPasswordChange: the right one-time password opens no
// session; the page asks for a new password, and only saving it signs in
// and goes on to the consent page.
func TestAccountsForcedPasswordChange(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	b := newAccounts(t, env)
	email, otp := env.Boot.Admin.Email, env.Boot.AdminPassword
	resp, page := b.signIn(email, otp)
	if resp.StatusCode != 200 || !strings.Contains(page, `action="/oauth/v2/auth/password"`) || b.session() {
		t.Fatalf("one-time password: %d, session %v:\n%s", resp.StatusCode, b.session(), page)
	}
	f := formFields(t, page)
	if f.Get("q") != b.q.Encode() || f.Get("email") != email || f.Get("csrf") == "" {
		t.Fatalf("change form fields: %v", f)
	}
	if _, again := b.page(); !strings.Contains(again, "Sign in to crmguard") {
		t.Fatal("the authorization page shows consent before the change")
	}
	_, page = b.signIn(email, otp)
	f = formFields(t, page)
	try := func(current, next, confirm string) (*http.Response, string) {
		t.Helper()
		g := url.Values{"current": {current}, "next": {next}, "confirm": {confirm}}
		for k := range f {
			g.Set(k, f.Get(k))
		}
		resp, page := b.post("/oauth/v2/auth/password", g)
		if resp.StatusCode != http.StatusSeeOther {
			f = formFields(t, page)
		}
		return resp, page
	}
	if resp, page := try("wrong", ownPassword, ownPassword); resp.StatusCode != 401 || !strings.Contains(page, "not right") || b.session() {
		t.Errorf("wrong current password: %d", resp.StatusCode)
	}
	if resp, page := try(otp, ownPassword, "something else"); resp.StatusCode != 400 || !strings.Contains(page, "differ") || b.session() {
		t.Errorf("confirmation differs: %d", resp.StatusCode)
	}
	if resp, page := try(otp, "short", "short"); resp.StatusCode != 400 || !strings.Contains(page, "at least 8") || b.session() {
		t.Errorf("short password: %d", resp.StatusCode)
	}
	resp, _ = try(otp, ownPassword, ownPassword)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/oauth/v2/auth?"+b.q.Encode() || !b.session() {
		t.Fatalf("change: %d %s, session %v", resp.StatusCode, resp.Header.Get("Location"), b.session())
	}
	if _, page := b.page(); !strings.Contains(page, "wants to access your crmguard account") {
		t.Errorf("after the change: no consent page")
	}
	if env.User(t, "").MustChangePassword {
		t.Error("the one-time flag is still set")
	}
}
