package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/web"
)

// TestAccessLogHidesSecretsInPaths: a route with {token} (an invitation
// link) is logged by its pattern, never with the token.
func TestAccessLogHidesSecretsInPaths(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /invite/{token}", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /crm/{version}/users/{id}", func(w http.ResponseWriter, r *http.Request) {})
	h := web.Observe(mux, log, web.NewMetrics())
	for _, p := range []string{"/invite/0123456789abcdef0123456789abcdef", "/crm/v8/users/1234567890123456789"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	out := buf.String()
	if strings.Contains(out, "0123456789abcdef") || !strings.Contains(out, `"path":"/invite/{token}"`) {
		t.Errorf("invitation path logged as: %s", out)
	}
	if !strings.Contains(out, `"path":"/crm/v8/users/1234567890123456789"`) {
		t.Errorf("other paths are logged whole: %s", out)
	}
}

// TestRequestIDIsShortAndPrintable: a caller's X-Request-Id is echoed and
// logged only when it is at most 64 printable ASCII characters without
// spaces; anything else is replaced by one of ours.
func TestRequestIDIsShortAndPrintable(t *testing.T) {
	var buf bytes.Buffer
	h := web.Observe(http.NotFoundHandler(), slog.New(slog.NewJSONHandler(&buf, nil)), web.NewMetrics())
	for id, kept := range map[string]bool{
		"abc-123_X.y:z":          true,
		strings.Repeat("a", 64):  true,
		strings.Repeat("a", 65):  false,
		"two words":              false,
		"line\nbreak":            false,
		"tab\tin":                false,
		"caf\u00e9":              false,
		"nul\x00":                false,
		"<script>alert</script>": true, // printable: echoed in a header, never in HTML
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header["X-Request-Id"] = []string{id}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-Id")
		if kept && got != id {
			t.Errorf("X-Request-Id %q: answered %q, want it kept", id, got)
		}
		if !kept && (got == id || len(got) != 16) {
			t.Errorf("X-Request-Id %q: answered %q, want a fresh 16-hex ID", id, got)
		}
	}
}

// TestSecurityHeaders: nosniff on every answer; HSTS only under HTTPS
// (direct TLS, an https public URL, or X-Forwarded-Proto from a trusted
// proxy, never from anyone else).
func TestSecurityHeaders(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	trusted := web.ClientIP{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	cases := []struct {
		name     string
		ip       web.ClientIP
		remote   string
		proto    string
		wantHSTS bool
	}{
		{"plain http", web.ClientIP{}, "192.0.2.1:1234", "", false},
		{"https public URL", web.ClientIP{HTTPS: true}, "192.0.2.1:1234", "", true},
		{"trusted proxy says https", trusted, "10.1.2.3:1234", "https", true},
		{"untrusted peer says https", trusted, "192.0.2.1:1234", "https", false},
		{"no trusted proxies", web.ClientIP{}, "10.1.2.3:1234", "https", false},
	}
	for _, c := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = c.remote
		if c.proto != "" {
			req.Header.Set("X-Forwarded-Proto", c.proto)
		}
		rec := httptest.NewRecorder()
		web.SecurityHeaders(ok, &c.ip).ServeHTTP(rec, req)
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", c.name)
		}
		if got := rec.Header().Get("Strict-Transport-Security") != ""; got != c.wantHSTS {
			t.Errorf("%s: HSTS %v, want %v", c.name, got, c.wantHSTS)
		}
	}
}
