package testenv

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/pgtest"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/web"
)

// Clock is a clock tests can move.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Options change the stack a test starts.
type Options struct {
	Service service.Config
	Guard   guard.Config
	Demo    bool // seed the demo org
	// BusyTimeout, when positive, is the store's wait for the write lock
	// (sqlstore.DefaultBusyTimeout otherwise).
	BusyTimeout time.Duration
	// PollInterval is how often the stack looks for changes written by
	// another process (server.DefaultPollInterval when 0), as serve does.
	PollInterval time.Duration
	// Backend is the database: SQLite (the zero value) or Postgres, a
	// schema of its own in CRMGUARD_TEST_POSTGRES (the test is skipped,
	// with a message, when that is unset).
	Backend Backend
	// Database, when set, is the database to open instead of a new one:
	// a DSN another Env made (Env.Path), so that two stacks share it as
	// two instances do.
	Database string
}

// Backend names a database engine a stack runs on.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends are every backend, in the order EachBackend runs them.
var Backends = []Backend{SQLite, Postgres}

// EachBackend runs f as a subtest per backend, named after it. The
// PostgreSQL one skips, saying why, when CRMGUARD_TEST_POSTGRES is unset.
func EachBackend(t *testing.T, f func(t *testing.T, b Backend)) {
	for _, b := range Backends {
		t.Run(string(b), func(t *testing.T) {
			if b == Postgres && !pgtest.Available() {
				t.Skip(pgtest.Env + " is unset: the PostgreSQL run is skipped (CI always sets it)")
			}
			f(t, b)
		})
	}
}

// Env is a running stack.
type Env struct {
	Store   *sqlstore.Store
	Svc     *service.Service
	Guard   *guard.Guard
	Metrics *web.Metrics
	Server  *httptest.Server
	URL     string
	Clock   *Clock
	Path    string // the SQLite file, or the PostgreSQL DSN
	Boot    *service.Bootstrapped
	Org     *crmguard.Org
	// Admin is the CLI-style actor of the primary contact.
	Admin crmguard.Actor
}

// New starts a stack for t, through server.Open as serve does; it stops
// when t ends.
func New(t testing.TB, opt Options) *Env {
	t.Helper()
	path := opt.Database
	switch {
	case path != "":
	case opt.Backend == Postgres:
		path = pgtest.DSN(t)
	default:
		path = filepath.Join(t.TempDir(), "crmguard.db")
	}
	clock := &Clock{t: time.Now().UTC().Truncate(time.Minute)} // minute-aligned: limits that count minutes answer alike every run
	cfg := opt.Service
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = 4 // bcrypt.MinCost: tests need not be slow
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	stack, err := server.Open(context.Background(), server.Options{
		Path: path, BusyTimeout: opt.BusyTimeout, Service: cfg, Now: clock.Now, Demo: opt.Demo,
		Guard: opt.Guard, PollInterval: opt.PollInterval,
	})
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { stack.Close() })
	srv.Config.Handler = stack.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	org := stack.Org
	return &Env{Store: stack.Store, Svc: stack.Service, Guard: stack.Guard, Metrics: stack.Metrics, Server: srv, URL: srv.URL, Clock: clock, Path: path,
		Boot: stack.Boot, Org: org, Admin: crmguard.Actor{OrgID: org.ID, UserID: org.PrimaryUserID, Source: crmguard.SourceCLI}}
}

// Token issues an access token for the user with this e-mail ("" for the
// admin) and scopes.
func (e *Env) Token(t testing.TB, email, scopes string) string {
	t.Helper()
	u := e.User(t, email)
	tok, err := e.Svc.IssueTokens(context.Background(), e.Admin, u.ID, scopes, false)
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

// User returns the user with this e-mail ("" for the admin).
func (e *Env) User(t testing.TB, email string) *crmguard.User {
	t.Helper()
	if email == "" {
		email = e.Boot.Admin.Email
	}
	u, err := e.Svc.UserByEmail(context.Background(), e.Org.ID, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Do sends a request with an optional token and body.
func (e *Env) Do(t testing.TB, method, path, token string, body string, header ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
