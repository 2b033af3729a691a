package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// chromium starts headless Debian chromium for the test, or skips with the
// reason when it is not installed (.ci/run installs it).
func chromium(t *testing.T) context.Context {
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
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// TestForcedChangeAndConsentInBrowser: in a real browser, under the
// pages' Content-Security-Policy, the admin signs in to a client with the
// one-time password, is asked for a new one, saves it, accepts, and the
// browser arrives at the client's redirect URI with a code (browsers apply
// form-action to the consent form's redirect).
func TestForcedChangeAndConsentInBrowser(t *testing.T) {
	ctx := chromium(t)
	env := testenv.New(t, testenv.Options{})
	var mu sync.Mutex
	var got url.Values
	client := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cb" { // the browser asks for a favicon too
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		got = r.URL.Query()
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<p id="done">the client has the answer</p>`))
	}))
	defer client.Close()
	c, _, err := env.Svc.CreateClient(context.Background(), env.Admin, "Browser app", crmguard.ClientServer, []string{client.URL + "/cb"})
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"client_id": {c.ClientID}, "response_type": {"code"}, "redirect_uri": {client.URL + "/cb"},
		"scope": {"ZohoCRM.users.READ"}, "state": {"st-9"}}
	var heading, loc string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(env.URL+"/oauth/v2/auth?"+q.Encode()),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", env.Boot.Admin.Email),
		chromedp.SendKeys("#password", env.Boot.AdminPassword),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#next", chromedp.ByQuery),
		chromedp.Text("h1", &heading, chromedp.ByQuery),
	); err != nil {
		t.Fatal(err)
	}
	if heading != "Choose a new password" {
		t.Fatalf("after the one-time password: %q", heading)
	}
	// The session cookie is HttpOnly: the store says whether one opened.
	if evs, err := env.Store.ListAudit(context.Background(), env.Org.ID, crmguard.AuditFilter{Limit: 1}); err != nil || evs[0].Action == "session.login" {
		t.Fatalf("a session before the change: %v", err)
	}
	if err := chromedp.Run(ctx,
		chromedp.SendKeys("#current", env.Boot.AdminPassword, chromedp.ByQuery),
		chromedp.SendKeys("#next", ownPassword, chromedp.ByQuery),
		chromedp.SendKeys("#confirm", ownPassword, chromedp.ByQuery),
		chromedp.Submit("#confirm", chromedp.ByQuery),
		chromedp.WaitVisible(`button[value="accept"]`, chromedp.ByQuery),
		chromedp.Click(`button[value="accept"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#done", chromedp.ByQuery),
		chromedp.Location(&loc),
	); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.HasPrefix(loc, client.URL+"/cb?") || got.Get("state") != "st-9" || !strings.HasPrefix(got.Get("code"), "1000.") {
		t.Errorf("the client got %v at %s", got, loc)
	}
	if env.User(t, "").MustChangePassword {
		t.Error("the one-time flag is still set")
	}
}
