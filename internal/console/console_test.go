package console_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

const (
	standardUser = "grace.nwosu@example.com" // Standard: no API access
	newPassword  = "a long new password"
)

// browser starts headless Debian chromium for the test, or skips with the
// reason when it is not installed (.ci/run installs it).
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if path, err = exec.LookPath("chromium-browser"); err != nil {
			t.Skip("chromium is not installed (apt-get install chromium): browser tests skipped")
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// Start the browser on ctx itself: a first Run on a derived context
	// would tie the tab to that context's lifetime.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// run runs actions one by one, naming the one that fails. chromedp finds
// elements with DOM.performSearch by default, which can miss the document a
// form POST and its redirect load: CSS queries after a submit use ByQuery.
func run(t *testing.T, ctx context.Context, steps ...chromedp.Action) {
	t.Helper()
	for i, a := range steps {
		if err := chromedp.Run(ctx, a); err != nil {
			var loc string
			_ = chromedp.Run(ctx, chromedp.Location(&loc))
			t.Fatalf("step %d (%T): %v, at %s", i+1, a, err, loc)
		}
	}
}

// shot saves a screenshot under $CRMGUARD_SCREENSHOTS, when set (the
// README's pictures come from there).
func shot(t *testing.T, name string) chromedp.ActionFunc {
	dir := os.Getenv("CRMGUARD_SCREENSHOTS")
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if dir == "" {
			return nil
		}
		var png []byte
		if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

func apiStatus(t *testing.T, env *testenv.Env, tok string) int {
	t.Helper()
	resp := env.Do(t, "GET", "/crm/v8/users", tok, "")
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// signIn signs the bootstrap admin in, through the forced password change.
func signIn(env *testenv.Env) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(env.URL + "/console/login"),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", env.Boot.Admin.Email),
		chromedp.SendKeys("#password", env.Boot.AdminPassword),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#next"),
		chromedp.SendKeys("#current", env.Boot.AdminPassword),
		chromedp.SendKeys("#next", newPassword),
		chromedp.SendKeys("#confirm", newPassword),
		chromedp.Submit("#confirm"),
		chromedp.WaitVisible(`a[href="/console/setup/security"]`),
	}
}

// TestEnableAPIAccessInBrowser follows, in a real browser, the steps by
// which a Zoho CRM administrator lets a profile use the API: a Standard
// user's token is refused for want of API access; the admin signs in, goes
// Setup → Security Control → Profiles → Standard → Developer Permissions,
// turns "Zoho CRM API Access" on and saves, and sees "Zoho CRM API Access:
// ON"; the same token then works.
func TestEnableAPIAccessInBrowser(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t, testenv.Options{Demo: true})
	tok := env.Token(t, standardUser, "ZohoCRM.users.READ")
	if s := apiStatus(t, env, tok); s != http.StatusForbidden {
		t.Fatalf("before: %d, want 403 NO_PERMISSION", s)
	}
	var status, setupURL string
	err := chromedp.Run(ctx,
		signIn(env),
		chromedp.Location(&setupURL),
		shot(t, "setup"),
		chromedp.Click(`a[href="/console/setup/security"]`),
		chromedp.WaitVisible(`//a[text()="Standard"]`),
		shot(t, "security-control"),
		chromedp.Click(`//a[text()="Standard"]`),
		chromedp.WaitVisible("#section-developer"),
		chromedp.ScrollIntoView("#section-developer"),
		chromedp.Click(`label[for="perm-Crm_Implied_Api_Access"]`),
		shot(t, "profile-developer-permissions"),
		chromedp.Click("#save"),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text("#api-access-status", &status, chromedp.ByQuery),
		shot(t, "profile-saved"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(setupURL, "/console/setup") {
		t.Errorf("after the password change: %s", setupURL)
	}
	if strings.TrimSpace(status) != "Zoho CRM API Access: ON" {
		t.Errorf("status line: %q", status)
	}
	if s := apiStatus(t, env, tok); s != http.StatusOK {
		t.Errorf("after: %d, want 200", s)
	}
	// The change is audited with source console.
	evs, err := env.Svc.Audit(context.Background(), env.Admin, serviceFilter("profile.update"))
	if err != nil || len(evs) == 0 || evs[0].Source != crmguard.SourceConsole || evs[0].ClientIP == "" {
		t.Errorf("audit: %+v %v", evs, err)
	}
}

// TestCSRFAndThrottlingInBrowser: a form whose CSRF token was tampered with
// is refused and changes nothing; after five wrong passwords, sign-in is
// refused for a while even with the right one.
func TestCSRFAndThrottlingInBrowser(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t, testenv.Options{Demo: true})
	var msg string
	run(t, ctx, signIn(env),
		chromedp.Navigate(env.URL+"/console/setup/security"),
		chromedp.Click(`//a[text()="Standard"]`),
		chromedp.WaitVisible("#section-developer"),
		chromedp.SetValue(`#save-form input[name="csrf"]`, "forged", chromedp.ByQuery),
		chromedp.Click(`label[for="perm-Crm_Implied_Api_Access"]`),
		chromedp.Click("#save"),
		chromedp.WaitVisible(".error", chromedp.ByQuery),
		chromedp.Text(".error", &msg, chromedp.ByQuery),
	)
	if !strings.Contains(msg, "CSRF check failed") {
		t.Errorf("tampered form: %q", msg)
	}
	p, err := env.Svc.ProfileByRef(context.Background(), env.Org.ID, "Standard")
	if err != nil || p.Permissions.Has(crmguard.PermAPIAccess) {
		t.Errorf("the refused form changed the profile: %v", err)
	}

	// Throttling, in a fresh browser context (no session).
	ctx2, cancel := chromedp.NewContext(ctx)
	defer cancel()
	try := func(password string) string {
		var text string
		if err := chromedp.Run(ctx2,
			chromedp.Navigate(env.URL+"/console/login"),
			chromedp.WaitVisible("#email"),
			chromedp.SendKeys("#email", "patricia.boyle@example.com"),
			chromedp.SendKeys("#password", password),
			chromedp.Submit("#password"),
			chromedp.WaitVisible(".error", chromedp.ByQuery),
			chromedp.Text(".error", &text, chromedp.ByQuery),
		); err != nil {
			t.Fatal(err)
		}
		return text
	}
	for i := 0; i < 5; i++ {
		if got := try("wrong password"); !strings.Contains(got, "Wrong e-mail or password") {
			t.Fatalf("attempt %d: %q", i+1, got)
		}
	}
	if got := try("wrong password"); !strings.Contains(got, "Too many failed sign-ins") {
		t.Errorf("sixth attempt: %q", got)
	}
}

// TestUsersInBrowser: invite a user whose name is markup (it shows as
// text), find them by search, deactivate, activate and delete them.
func TestUsersInBrowser(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t, testenv.Options{Demo: true})
	const evil = `<script>alert(1)</script>`
	var invite, heading, cell, status, title string
	run(t, ctx, signIn(env),
		chromedp.Navigate(env.URL+"/console/users/new"),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", "mallory@example.com"),
		chromedp.SendKeys("#first_name", evil),
		chromedp.SendKeys("#last_name", "Doe"),
		chromedp.Click("#invite"),
		chromedp.WaitVisible("#invite-url", chromedp.ByQuery),
		chromedp.Text("#invite-url", &invite, chromedp.ByQuery),
		chromedp.Text("h1", &heading, chromedp.ByQuery),
		chromedp.Title(&title),
		shot(t, "user-invited"),
	)
	if heading != evil+" Doe" || !strings.Contains(invite, "/invite/") || !strings.Contains(title, evil) {
		t.Errorf("after inviting: heading %q, link %q, title %q", heading, invite, title)
	}
	run(t, ctx,
		chromedp.Navigate(env.URL+"/console/users?q=mall"),
		chromedp.WaitVisible("#users", chromedp.ByQuery),
		chromedp.Text("#users tbody tr td", &cell, chromedp.ByQuery),
		shot(t, "users-search"),
		chromedp.Click("#users tbody a", chromedp.ByQuery),
		chromedp.WaitVisible("#action-deactivate", chromedp.ByQuery),
		chromedp.Click("#action-deactivate", chromedp.ByQuery),
		chromedp.WaitVisible("#action-activate", chromedp.ByQuery),
		chromedp.Text("#user-status", &status, chromedp.ByQuery),
	)
	if cell != evil+" Doe" || status != "disabled" {
		t.Errorf("search cell %q, status after deactivating %q", cell, status)
	}
	run(t, ctx,
		chromedp.Click("#action-activate", chromedp.ByQuery),
		chromedp.WaitVisible("#action-deactivate", chromedp.ByQuery),
		chromedp.Click("#action-delete", chromedp.ByQuery),
		chromedp.WaitVisible("#confirm", chromedp.ByQuery), // deleting asks first
		chromedp.Click("#confirm", chromedp.ByQuery),
		chromedp.WaitNotPresent("#action-delete", chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text("#user-status", &status, chromedp.ByQuery),
	)
	if status != "deleted" {
		t.Errorf("status after deleting: %q", status)
	}
	// Every step went through the service as the console.
	added, err := env.Svc.Audit(context.Background(), env.Admin, crmguard.AuditFilter{Action: "user.add", Limit: 1})
	if err != nil || len(added) != 1 {
		t.Fatalf("user.add: %v %v", added, err)
	}
	evs, err := env.Svc.Audit(context.Background(), env.Admin, crmguard.AuditFilter{Target: added[0].TargetID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		if e.Source != crmguard.SourceConsole {
			t.Errorf("%s from %s", e.Action, e.Source)
		}
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); got != "user.delete,user.activate,user.deactivate,user.add" {
		t.Errorf("audit: %s", got)
	}
}

// TestSecurityPagesInBrowser: the Roles and Allowed IPs tabs and the audit
// log render and work in the browser (and give the README its pictures).
func TestSecurityPagesInBrowser(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t, testenv.Options{Demo: true})
	var roles, rule, audit, clients string
	run(t, ctx, signIn(env),
		chromedp.Navigate(env.URL+"/console/setup/security/roles"),
		chromedp.WaitVisible("#roles", chromedp.ByQuery),
		chromedp.Text("#roles tbody", &roles, chromedp.ByQuery),
		shot(t, "roles"),
		chromedp.Navigate(env.URL+"/console/setup/security/ips"),
		chromedp.WaitVisible("#ip-range", chromedp.ByQuery),
		chromedp.SendKeys("#ip-name", "Office", chromedp.ByQuery),
		chromedp.SendKeys("#ip-range", "203.0.113.0/24", chromedp.ByQuery),
		chromedp.SetValue("#ip-applies", "profile", chromedp.ByQuery),
		chromedp.SendKeys("#ip-target", "Sales", chromedp.ByQuery),
		chromedp.Submit("#ip-range", chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text("#ips tbody", &rule, chromedp.ByQuery),
		shot(t, "allowed-ips"),
		chromedp.Navigate(env.URL+"/console/setup/audit"),
		chromedp.WaitVisible("#audit", chromedp.ByQuery),
		chromedp.Text("#audit tbody tr", &audit, chromedp.ByQuery),
		shot(t, "audit-log"),
		chromedp.Navigate(env.URL+"/console/users"),
		chromedp.WaitVisible("#users", chromedp.ByQuery),
		shot(t, "users"),
		chromedp.Navigate(env.URL+"/console/setup/api"),
		chromedp.WaitVisible("#clients", chromedp.ByQuery),
		chromedp.Text("#clients tbody", &clients, chromedp.ByQuery),
		shot(t, "api-console"),
	)
	if !strings.Contains(clients, "Self Client") {
		t.Errorf("clients: %q", clients)
	}
	if !strings.Contains(roles, "CEO") || !strings.Contains(roles, "Sales Rep") {
		t.Errorf("roles: %q", roles)
	}
	if !strings.Contains(rule, "203.0.113.0/24") || !strings.Contains(rule, "Profile Sales") {
		t.Errorf("rule: %q", rule)
	}
	if !strings.Contains(audit, "iprule.add") || !strings.Contains(audit, "console") {
		t.Errorf("newest audit event: %q", audit)
	}
}
