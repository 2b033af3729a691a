package console_test

import (
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/testenv"
	"github.com/crmguard/crmguard/internal/web"
)

// TestCookiesSecureUnderHTTPS: the sign-in token and session cookies are
// Secure when the public URL is https, or a trusted proxy says the
// browser came over HTTPS; not on plain http. The cookies are carried by
// hand: a cookie jar keeps Secure cookies from an http:// test server.
func TestCookiesSecureUnderHTTPS(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	for _, c := range []struct {
		name   string
		ip     web.ClientIP
		header string // X-Forwarded-Proto
		secure bool
	}{
		{"https public URL", web.ClientIP{HTTPS: true}, "", true},
		{"trusted proxy, https", web.ClientIP{Trusted: loopback}, "https", true},
		{"trusted proxy, http", web.ClientIP{Trusted: loopback}, "http", false},
		{"untrusted proxy says https", web.ClientIP{}, "https", false},
		{"plain http", web.ClientIP{}, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := testenv.New(t, testenv.Options{Demo: true, Guard: guard.Config{ClientIP: c.ip}})
			login(t, env, "grace.nwosu@example.com", "grace's password") // sets the password; its cookies are not looked at
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
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp, string(b)
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
			resp, page := do("GET", "/console/login", nil, nil)
			tok := find(resp, "crmguard_login")
			if tok.Secure != c.secure {
				t.Errorf("sign-in token cookie Secure=%v, want %v", tok.Secure, c.secure)
			}
			resp, _ = do("POST", "/console/login", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]},
				"email": {"grace.nwosu@example.com"}, "password": {"grace's password"}}, tok)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in: %d", resp.StatusCode)
			}
			if s := find(resp, "crmguard_session"); s.Secure != c.secure || !s.HttpOnly || s.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie Secure=%v HttpOnly=%v SameSite=%v, want Secure=%v", s.Secure, s.HttpOnly, s.SameSite, c.secure)
			}
		})
	}
}
