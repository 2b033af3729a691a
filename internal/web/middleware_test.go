package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
