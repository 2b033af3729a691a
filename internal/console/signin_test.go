package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

func hasSession(env *testenv.Env, c *http.Client) bool {
	u, _ := url.Parse(env.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "crmguard_session" {
			return true
		}
	}
	return false
}

// signInForm GETs the login page and posts it.
func signInForm(t *testing.T, env *testenv.Env, c *http.Client, email, password string) (int, string, string) {
	t.Helper()
	_, _, page := fetch(t, c, "GET", env.URL+"/console/login", nil)
	return fetch(t, c, "POST", env.URL+"/console/login", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]},
		"email": {email}, "password": {password}})
}

// TestForcedChangeOpensNoSession: the right one-time password shows the
// change form and sets no session; only the change signs in.
func TestForcedChangeOpensNoSession(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := client(t)
	email, otp := env.Boot.Admin.Email, env.Boot.AdminPassword
	status, _, page := signInForm(t, env, c, email, otp)
	if status != 200 || !strings.Contains(page, `action="/console/login/password"`) || hasSession(env, c) {
		t.Fatalf("one-time password: %d, session %v:\n%s", status, hasSession(env, c), page)
	}
	if status, loc, _ := fetch(t, c, "GET", env.URL+"/console/setup", nil); status != http.StatusSeeOther || loc != "/console/login" {
		t.Errorf("setup before the change: %d %s", status, loc)
	}
	post := func(current, next, confirm string) (int, string, string) {
		t.Helper()
		status, loc, body := fetch(t, c, "POST", env.URL+"/console/login/password", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]},
			"email": {email}, "current": {current}, "next": {next}, "confirm": {confirm}})
		if status != http.StatusSeeOther {
			page = body
		}
		return status, loc, body
	}
	if status, _, body := post("wrong", newPassword, newPassword); status != 401 || !strings.Contains(body, "Wrong e-mail or password") || hasSession(env, c) {
		t.Errorf("wrong current password: %d", status)
	}
	if status, _, body := post(otp, newPassword, "another"); status != 400 || !strings.Contains(body, "differ") || hasSession(env, c) {
		t.Errorf("confirmation differs: %d", status)
	}
	if status, loc, _ := post(otp, newPassword, newPassword); status != http.StatusSeeOther || loc != "/console/setup" || !hasSession(env, c) {
		t.Fatalf("change: %d %s", status, loc)
	}
	if status, _, _ := fetch(t, c, "GET", env.URL+"/console/setup", nil); status != 200 {
		t.Errorf("setup after the change: %d", status)
	}
	evs, err := env.Store.ListAudit(context.Background(), env.Org.ID, crmguard.AuditFilter{Limit: 2})
	if err != nil || len(evs) != 2 || evs[0].Action != "session.login" || evs[1].Action != "user.password" {
		t.Errorf("audit: %v", err)
	}
}

// TestStrangerCannotLockOutTheOffice: failures for made-up e-mails from
// the address a whole office shares do not lock out its users.
func TestStrangerCannotLockOutTheOffice(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	login(t, env, "grace.nwosu@example.com", "grace's password") // sets the password
	stranger := client(t)
	for i := 0; i < 10; i++ {
		if status, _, _ := signInForm(t, env, stranger, fmt.Sprintf("made.up%d@example.com", i), "guess"); status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, status)
		}
	}
	c := client(t)
	if status, _, body := signInForm(t, env, c, "grace.nwosu@example.com", "grace's password"); status != http.StatusSeeOther {
		t.Errorf("a colleague at the same address: %d\n%s", status, body)
	}
}

// TestSignOutIsAudited: signing out records session.logout from the
// console, naming the session by ID.
func TestSignOutIsAudited(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := login(t, env, "grace.nwosu@example.com", "grace's password")
	_, _, page := fetch(t, c, "GET", env.URL+"/console/me", nil)
	if status, _, _ := fetch(t, c, "POST", env.URL+"/console/logout", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]}}); status != http.StatusSeeOther {
		t.Fatalf("logout: %d", status)
	}
	evs, err := env.Store.ListAudit(context.Background(), env.Org.ID, crmguard.AuditFilter{Limit: 2})
	if err != nil || len(evs) != 2 {
		t.Fatal(err)
	}
	grace := env.User(t, "grace.nwosu@example.com")
	if e := evs[0]; e.Action != "session.logout" || e.Source != "console" || e.ActorID != grace.ID || e.ClientIP != "127.0.0.1" ||
		evs[1].Action != "session.login" || string(e.After) != string(evs[1].After) {
		t.Errorf("logout event: %+v %s", e, e.After)
	}
}
