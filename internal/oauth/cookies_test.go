package oauth_test

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/testenv"
	"github.com/crmguard/crmguard/internal/web"
)

// TestAccountsCookiesSecureUnderHTTPS: the accounts pages' sign-in token
// and session cookies are Secure when the public URL is https or a trusted
// proxy says the browser came over HTTPS, and not on plain http. The
// cookies are carried by hand: a jar keeps Secure cookies from http://.
func TestAccountsCookiesSecureUnderHTTPS(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	for _, c := range []struct {
		name   string
		ip     web.ClientIP
		header string // X-Forwarded-Proto
		secure bool
	}{
		{"https public URL", web.ClientIP{HTTPS: true}, "", true},
		{"trusted proxy, https", web.ClientIP{Trusted: loopback}, "https", true},
		{"untrusted proxy says https", web.ClientIP{}, "https", false},
		{"plain http", web.ClientIP{}, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := testenv.New(t, testenv.Options{Guard: guard.Config{ClientIP: c.ip}})
			ctx := context.Background()
			if err := env.Svc.ChangePassword(ctx, env.Admin, env.Boot.AdminPassword, ownPassword); err != nil {
				t.Fatal(err)
			}
			cl, _, err := env.Svc.CreateClient(ctx, env.Admin, "Test app", crmguard.ClientServer, []string{"http://127.0.0.1:9/cb"})
			if err != nil {
				t.Fatal(err)
			}
			q := url.Values{"client_id": {cl.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scope": {"ZohoCRM.org.READ"}}
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			do := func(method, path string, form url.Values, cookie *http.Cookie) (*http.Response, string) {
				t.Helper()
				var body io.Reader
				if form != nil {
					body = strings.NewReader(form.Encode())
				}
				req, _ := http.NewRequest(method, env.URL+path, body)
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				if c.header != "" {
					req.Header.Set("X-Forwarded-Proto", c.header)
				}
				if cookie != nil {
					req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
				}
				resp, err := hc.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				return resp, readBody(t, resp)
			}
			find := func(resp *http.Response, name string) *http.Cookie {
				t.Helper()
				for _, ck := range resp.Cookies() {
					if ck.Name == name {
						return ck
					}
				}
				t.Fatalf("no %s cookie (status %d)", name, resp.StatusCode)
				return nil
			}
			resp, page := do("GET", "/oauth/v2/auth?"+q.Encode(), nil, nil)
			tok := find(resp, "crmguard_accounts_login")
			if tok.Secure != c.secure || !tok.HttpOnly {
				t.Errorf("sign-in token cookie Secure=%v HttpOnly=%v, want Secure=%v", tok.Secure, tok.HttpOnly, c.secure)
			}
			f := formFields(t, page)
			f.Set("email", env.Boot.Admin.Email)
			f.Set("password", ownPassword)
			resp, _ = do("POST", "/oauth/v2/auth/login", f, tok)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in: %d", resp.StatusCode)
			}
			if s := find(resp, "crmguard_session"); s.Secure != c.secure || !s.HttpOnly {
				t.Errorf("session cookie Secure=%v HttpOnly=%v, want Secure=%v", s.Secure, s.HttpOnly, c.secure)
			}
		})
	}
}
