package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// client is a cookie-keeping HTTP client that does not follow redirects.
func client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == "POST" {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// login signs a user in with a password set through the service.
func login(t *testing.T, env *testenv.Env, email, password string) *http.Client {
	t.Helper()
	u := env.User(t, email)
	tok, err := env.Svc.Reinvite(context.Background(), env.Admin, u.ID)
	if err == nil { // not yet confirmed: accept the invitation
		if _, err := env.Svc.AcceptInvite(context.Background(), "", tok[strings.LastIndex(tok, "/")+1:], password); err != nil {
			t.Fatal(err)
		}
	} else if err := setPassword(env, u.ID, password); err != nil {
		t.Fatal(err)
	}
	c := client(t)
	_, _, page := fetch(t, c, "GET", env.URL+"/console/login", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf on the login page")
	}
	status, loc, body := fetch(t, c, "POST", env.URL+"/console/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}})
	if status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", status, body)
	}
	_ = loc
	return c
}

// TestNonAdminSeesOnlyOwnPage: a user without Manage_* permissions has
// their own page; every setup page answers 403; sign-out ends the session.
func TestNonAdminSeesOnlyOwnPage(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := login(t, env, "grace.nwosu@example.com", "grace's password")
	status, _, body := fetch(t, c, "GET", env.URL+"/console/me", nil)
	if status != 200 || !strings.Contains(body, "grace.nwosu@example.com") || strings.Contains(body, `href="/console/setup"`) {
		t.Errorf("own page: %d", status)
	}
	for _, p := range []string{"/console/setup", "/console/setup/security", "/console/users", "/console/users/new"} {
		if status, _, _ := fetch(t, c, "GET", env.URL+p, nil); status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", p, status)
		}
	}
	csrf := csrfField.FindStringSubmatch(body)[1]
	if status, _, _ := fetch(t, c, "POST", env.URL+"/console/logout", url.Values{"csrf": {"x"}}); status != http.StatusForbidden {
		t.Errorf("logout without the token: %d", status)
	}
	if status, loc, _ := fetch(t, c, "POST", env.URL+"/console/logout", url.Values{"csrf": {csrf}}); status != http.StatusSeeOther || loc != "/console/login" {
		t.Errorf("logout: %d %s", status, loc)
	}
	if status, loc, _ := fetch(t, c, "GET", env.URL+"/console/me", nil); status != http.StatusSeeOther || loc != "/console/login" {
		t.Errorf("after logout: %d %s", status, loc)
	}
}

// TestSessionCookie: HttpOnly and SameSite, never the token in a URL.
func TestSessionCookie(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := login(t, env, "patricia.boyle@example.com", "patricia's password")
	u, _ := url.Parse(env.URL)
	var found bool
	for _, ck := range c.Jar.Cookies(u) {
		found = found || ck.Name == "crmguard_session"
	}
	if !found {
		t.Fatal("no session cookie")
	}
	resp, err := c.Get(env.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, h := range resp.Header.Values("Set-Cookie") {
		if !strings.Contains(h, "HttpOnly") || !strings.Contains(h, "SameSite=Lax") {
			t.Errorf("cookie flags: %s", h)
		}
	}
}
