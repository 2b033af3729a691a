package emulator_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/server"
)

const testKey = "test-emulator-key"

// env is one real crmguard (SQLite file, every transport) behind an HTTP
// server on loopback, with the emulator on unless opt says otherwise.
type env struct {
	stack *server.Stack
	srv   *httptest.Server
	url   string
}

func start(t testing.TB, opt server.Options) *env {
	t.Helper()
	if opt.Path == "" && !opt.InMemory && opt.Store == nil {
		opt.Path = filepath.Join(t.TempDir(), "crmguard.db")
	}
	if opt.Service.PasswordCost == 0 {
		opt.Service.PasswordCost = 4
	}
	srv := httptest.NewUnstartedServer(nil)
	opt.Service.PublicURL = "http://" + srv.Listener.Addr().String()
	st, err := server.Open(context.Background(), opt)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv.Config.Handler = st.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{stack: st, srv: srv, url: srv.URL}
}

// startEmu starts a server with the demo org and the emulator on.
func startEmu(t testing.TB) *env {
	return start(t, server.Options{Demo: true, Emulator: &emulator.Config{Key: testKey}})
}

// do sends a request and returns the status and body. header is pairs.
func (e *env) do(t testing.TB, method, path, body string, header ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// api calls the CRM API with a token.
func (e *env) api(t testing.TB, method, path, token, body string) (int, string) {
	t.Helper()
	return e.do(t, method, path, body, "Authorization", "Zoho-oauthtoken "+token)
}

// emu calls a control route with the right key and fails the test unless
// it answers want.
func (e *env) emu(t testing.TB, want int, method, path, body string) string {
	t.Helper()
	code, out := e.do(t, method, path, body, emulator.KeyHeader, testKey)
	if code != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, code, out, want)
	}
	return out
}

// demoToken is the demo admin's access token.
func (e *env) demoToken() string { return e.stack.Demo.Tokens.AccessToken }

// users is GET /crm/v8/users?type=AllUsers as the demo admin; it must succeed.
func (e *env) users(t testing.TB, token string) string {
	t.Helper()
	code, body := e.api(t, "GET", "/crm/v8/users?type=AllUsers&per_page=200", token, "")
	if code != http.StatusOK {
		t.Fatalf("GET users: %d %s", code, body)
	}
	return body
}
