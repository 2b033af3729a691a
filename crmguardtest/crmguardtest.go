package crmguardtest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/service"
)

// AllScopes are the scopes of Server.Token: every CRM resource crmguard
// serves and the Accounts profile.
const AllScopes = "ZohoCRM.users.ALL,ZohoCRM.org.ALL,ZohoCRM.settings.ALL,AaaServer.profile.READ"

// Server is a running crmguard. Its exported fields are set by Start and
// must not be changed.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234: the API under
	// /crm/v8/, OAuth under /oauth/v2/, the emulator under /__emulator/.
	// Token responses name it as api_domain.
	URL string
	// Token is an access token of the administrator with AllScopes.
	Token string
	// AdminEmail is the administrator's e-mail (the org's primary contact).
	AdminEmail string
	// AdminPassword is the administrator's one-time password: the first
	// sign-in (console or authorization page) asks for a new one.
	AdminPassword string
	// ClientID and ClientSecret are the org's Self Client, for the token
	// endpoint: exchange GrantCode's codes, refresh tokens.
	ClientID, ClientSecret string
	// OrgID is the org's ID as the API writes it.
	OrgID string
	// EmulatorKey is the X-Emulator-Key of the control API.
	EmulatorKey string

	stack *server.Stack
	http  *httptest.Server
	admin crmguard.Actor
	org   crmguard.ID

	mu     sync.Mutex
	seeded map[string]string // token seed → value
}

// Start runs a crmguard for t on a loopback port and stops it, and drops
// everything it stored, when t ends. It fails t if the server cannot start.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// New runs a crmguard as Start does, for code without a testing.TB: a
// TestMain that shares one server among a package's tests, or a program.
// Close stops it.
func New(opts ...Option) (*Server, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	ctx := context.Background()
	hs := httptest.NewUnstartedServer(nil)
	svcCfg := c.public.service()
	svcCfg.PublicURL = "http://" + hs.Listener.Addr().String()
	stack, err := server.Open(ctx, server.Options{
		// In memory: no file to create or remove, and each server its own
		// database, so parallel tests never meet.
		InMemory:  true,
		Service:   svcCfg,
		Bootstrap: c.public.bootstrap(),
		Guard:     c.public.guard(),
		Demo:      c.demo,
		SeedFile:  c.seedFile,
		Emulator:  &emulator.Config{},
	})
	if err != nil {
		hs.Close()
		return nil, fmt.Errorf("crmguardtest: start: %w", err)
	}
	hs.Config.Handler = stack.Handler
	hs.Start()

	s := &Server{URL: hs.URL, stack: stack, http: hs, org: stack.Org.ID, OrgID: stack.Org.ID.String()}
	s.admin = crmguard.Actor{OrgID: stack.Org.ID, UserID: stack.Org.PrimaryUserID, Source: crmguard.SourceCLI}
	if b := stack.Boot; b != nil {
		s.AdminEmail, s.AdminPassword = b.Admin.Email, b.AdminPassword
		s.ClientID, s.ClientSecret = b.SelfClient.ClientID, b.ClientSecret
	}
	s.EmulatorKey = stack.Emulator.Key()
	if stack.Seeded != nil {
		s.addSeeded(stack.Seeded)
	}
	tok, err := stack.Service.IssueTokens(ctx, s.admin, stack.Org.PrimaryUserID, AllScopes, false)
	if err == nil {
		s.Token = tok.AccessToken
		// Reset returns to the state as Start hands it over, token included.
		err = stack.Emulator.MarkInitial(ctx)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("crmguardtest: start: %w", err)
	}
	return s, nil
}

// Close stops the server: it stops serving, waits for requests in flight,
// and drops the database. Start's cleanup calls it; calling it again does
// nothing.
func (s *Server) Close() error {
	// Stop serving first, then close the store the handlers use.
	s.http.Close()
	return s.stack.Close()
}

// TokenFor returns a new access token of the user with this e-mail ("" for
// the administrator) with the given scopes (AllScopes when none), minted
// for the Self Client as `crmguard token issue` does. The user must be
// active.
func (s *Server) TokenFor(t testing.TB, email string, scopes ...string) string {
	t.Helper()
	tok, err := s.stack.Service.IssueTokens(context.Background(), s.admin, s.user(t, email).ID, joinScopes(scopes), false)
	if err != nil {
		t.Fatalf("crmguardtest: token for %q: %v", email, err)
	}
	return tok.AccessToken
}

// GrantCode returns a Self Client grant code of the user with this e-mail
// ("" for the administrator) and scopes (AllScopes when none), as Zoho's
// API console makes one: exchange it at URL+"/oauth/v2/token" with
// ClientID and ClientSecret (grant_type=authorization_code) for an access
// and a refresh token. It expires after three minutes of the server's
// clock and works once.
func (s *Server) GrantCode(t testing.TB, email string, scopes ...string) string {
	t.Helper()
	ctx := context.Background()
	self, err := s.stack.Service.SelfClient(ctx, s.org)
	if err != nil {
		t.Fatalf("crmguardtest: grant code: %v", err)
	}
	code, err := s.stack.Service.CreateGrant(ctx, s.admin, service.GrantRequest{
		Client: self, UserID: s.user(t, email).ID, Scopes: joinScopes(scopes), Offline: true})
	if err != nil {
		t.Fatalf("crmguardtest: grant code for %q: %v", email, err)
	}
	return code
}

// SetAPIAccess turns the "Zoho CRM API Access" permission of the profile
// named profile (or with that ID) on or off. With it off, every API call
// of the profile's users is refused with 403 NO_PERMISSION naming the
// permission; their tokens stay valid and work again when it is back on.
func (s *Server) SetAPIAccess(t testing.TB, profile string, on bool) {
	t.Helper()
	ctx := context.Background()
	p, err := s.stack.Service.ProfileByRef(ctx, s.org, profile)
	if err != nil {
		t.Fatalf("crmguardtest: profile %q: %v", profile, err)
	}
	if _, err := s.stack.Service.SetProfilePermissions(ctx, s.admin, p.ID, map[string]bool{crmguard.PermAPIAccess: on}); err != nil {
		t.Fatalf("crmguardtest: API access of %q: %v", profile, err)
	}
}

// AddUser adds an active user with this e-mail, profile and role (names
// or IDs) and returns the user's ID. The user has not accepted the
// invitation, as a user added through the API, but can receive tokens.
func (s *Server) AddUser(t testing.TB, email, profile, role string) string {
	t.Helper()
	ctx := context.Background()
	p, err := s.stack.Service.ProfileByRef(ctx, s.org, profile)
	if err != nil {
		t.Fatalf("crmguardtest: profile %q: %v", profile, err)
	}
	r, err := s.stack.Service.RoleByRef(ctx, s.org, role)
	if err != nil {
		t.Fatalf("crmguardtest: role %q: %v", role, err)
	}
	last := email
	if i := strings.IndexByte(email, '@'); i > 0 {
		last = email[:i]
	}
	nu, err := s.stack.Service.AddUser(ctx, s.admin, service.UserInput{Email: &email, LastName: &last, Profile: &p.ID, Role: &r.ID})
	if err != nil {
		t.Fatalf("crmguardtest: add user %q: %v", email, err)
	}
	return nu.User.ID.String()
}

func (s *Server) user(t testing.TB, email string) *crmguard.User {
	t.Helper()
	if email == "" {
		email = s.AdminEmail
	}
	u, err := s.stack.Service.UserByEmail(context.Background(), s.org, email)
	if err != nil {
		t.Fatalf("crmguardtest: user %q: %v", email, err)
	}
	return u
}

func joinScopes(scopes []string) string {
	if len(scopes) == 0 {
		return AllScopes
	}
	return strings.Join(scopes, ",")
}
