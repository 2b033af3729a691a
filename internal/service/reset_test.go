package service_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// usersManager gives the demo user email a new profile cloned from Standard
// with only Manage_Users (and API access) on top, and returns their actor.
func usersManager(t *testing.T, env *testenv.Env, email string, perms ...string) crmguard.Actor {
	t.Helper()
	ctx := context.Background()
	std, err := env.Svc.ProfileByRef(ctx, env.Org.ID, crmguard.ProfileStandard)
	if err != nil {
		t.Fatal(err)
	}
	name := "Delegated " + strings.Join(perms, " ")
	if len(name) > 50 {
		name = name[:50]
	}
	p, err := env.Svc.CloneProfile(ctx, env.Admin, std.ID, service.ProfileInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	on := map[string]bool{crmguard.PermAPIAccess: true}
	for _, perm := range perms {
		on[perm] = true
	}
	if _, err := env.Svc.SetProfilePermissions(ctx, env.Admin, p.ID, on); err != nil {
		t.Fatal(err)
	}
	u := env.User(t, email)
	res, err := env.Svc.UpdateUsers(ctx, env.Admin, []service.UserUpdate{{ID: u.ID, HasID: true, Input: service.UserInput{Profile: &p.ID}}})
	if err != nil || res[0] != nil {
		t.Fatalf("move %s to %s: %v %v", email, name, err, res)
	}
	return crmguard.Actor{OrgID: env.Org.ID, UserID: u.ID, Source: crmguard.SourceConsole}
}

func errCode(err error) string {
	if e, ok := crmguard.AsError(err); ok {
		return e.Code
	}
	return ""
}

// TestPasswordResetLink: the link sets a new password once, is stored only
// as a hash and never appears in the audit log.
func TestPasswordResetLink(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	grace := env.User(t, "grace.nwosu@example.com")
	link, err := env.Svc.PasswordResetLink(ctx, env.Admin, grace.ID)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(link, "/invite/")
	if i < 0 {
		t.Fatalf("link %q", link)
	}
	token := link[i+len("/invite/"):]
	stored := env.User(t, grace.Email)
	if h := service.HashToken(token); !bytes.Equal(stored.InviteHash, h[:]) || stored.InviteExpires.After(env.Clock.Now().Add(24*time.Hour)) {
		t.Errorf("stored hash %x, expires %s", stored.InviteHash, stored.InviteExpires)
	}
	if _, err := env.Svc.AcceptInvite(ctx, "192.0.2.1", token, "a brand new secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.Authenticate(ctx, env.Org.ID, grace.Email, "a brand new secret"); err != nil {
		t.Errorf("sign-in with the new password: %v", err)
	}
	if _, err := env.Svc.AcceptInvite(ctx, "192.0.2.1", token, "another new secret"); !errors.Is(err, service.ErrInviteInvalid) {
		t.Errorf("second use: %v", err)
	}
	evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var made bool
	for _, e := range evs {
		if strings.Contains(string(e.Before)+string(e.After), "/invite/") || strings.Contains(string(e.Before)+string(e.After), token) {
			t.Errorf("audit %s holds the link: %s", e.Action, e.After)
		}
		made = made || (e.Action == "user.password_reset" && e.TargetID == grace.ID)
	}
	if !made {
		t.Error("no user.password_reset event")
	}
}

// TestPasswordResetLinkRefusals: not for an unconfirmed or deactivated user,
// not without Manage_Users, and not over an administrator by a non-admin.
func TestPasswordResetLinkRefusals(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	for _, email := range []string{"priya.raman@example.com", "oliver.brandt@example.com"} {
		if _, err := env.Svc.PasswordResetLink(ctx, env.Admin, env.User(t, email).ID); errCode(err) != crmguard.CodeInvalidRequest {
			t.Errorf("%s: %v", email, err)
		}
	}
	emma := crmguard.Actor{OrgID: env.Org.ID, UserID: env.User(t, "emma.lindqvist@example.com").ID, Source: crmguard.SourceConsole}
	if _, err := env.Svc.PasswordResetLink(ctx, emma, env.User(t, "hiro.tanaka@example.com").ID); errCode(err) != crmguard.CodeNoPermission {
		t.Errorf("Sales user: %v", err)
	}
	mgr := usersManager(t, env, "grace.nwosu@example.com", crmguard.PermManageUsers)
	if _, err := env.Svc.PasswordResetLink(ctx, mgr, env.User(t, "hiro.tanaka@example.com").ID); err != nil {
		t.Errorf("Manage_Users over a Sales user: %v", err)
	}
	for _, email := range []string{"", "arjun.mehta@example.com"} {
		if _, err := env.Svc.PasswordResetLink(ctx, mgr, env.User(t, email).ID); errCode(err) != crmguard.CodeNoPermission {
			t.Errorf("Manage_Users over administrator %q: %v", email, err)
		}
	}
}
