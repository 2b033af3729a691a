package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// openSession stores a browser session for u, as a sign-in does, and
// returns its cookie value.
func openSession(t *testing.T, env *testenv.Env, u *crmguard.User, cookie string) string {
	t.Helper()
	h := service.HashToken(cookie)
	now := env.Clock.Now()
	if err := env.Store.CreateSession(context.Background(), &crmguard.Session{ID: crmguard.ID(now.UnixNano()), OrgID: u.OrgID, UserID: u.ID,
		TokenHash: h[:], CreatedTime: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SessionUser(context.Background(), cookie); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	return cookie
}

// TestPasswordResetEndsSessions: a password set by an administrator or
// through a reset link ends every session the user had: whoever signed in
// with the old password (which may be why it was reset) is out.
func TestPasswordResetEndsSessions(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	grace := env.User(t, "grace.nwosu@example.com")

	s1 := openSession(t, env, grace, "session-one")
	if err := env.Svc.SetPassword(ctx, env.Admin, grace.ID, "set by the admin", true); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SessionUser(ctx, s1); err == nil {
		t.Error("a session survived set-password")
	}

	s2 := openSession(t, env, grace, "session-two")
	link, err := env.Svc.PasswordResetLink(ctx, env.Admin, grace.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SessionUser(ctx, s2); err != nil {
		t.Errorf("making a reset link ended the session before it was used: %v", err)
	}
	if _, err := env.Svc.AcceptInvite(ctx, "192.0.2.1", link[strings.Index(link, "/invite/")+len("/invite/"):], "chosen through the link"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SessionUser(ctx, s2); err == nil {
		t.Error("a session survived the reset link")
	}
}
