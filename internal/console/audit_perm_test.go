package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// delegate moves the demo user email to a new profile: Standard plus perms.
func delegate(t *testing.T, env *testenv.Env, email string, perms ...string) {
	t.Helper()
	ctx := context.Background()
	std, err := env.Svc.ProfileByRef(ctx, env.Org.ID, crmguard.ProfileStandard)
	if err != nil {
		t.Fatal(err)
	}
	name := "Delegated " + strings.Join(perms, " ")
	name = name[:min(len(name), 50)]
	p, err := env.Svc.CloneProfile(ctx, env.Admin, std.ID, service.ProfileInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	on := map[string]bool{}
	for _, perm := range perms {
		on[perm] = true
	}
	if _, err := env.Svc.SetProfilePermissions(ctx, env.Admin, p.ID, on); err != nil {
		t.Fatal(err)
	}
	res, err := env.Svc.UpdateUsers(ctx, env.Admin, []service.UserUpdate{{ID: env.User(t, email).ID, HasID: true, Input: service.UserInput{Profile: &p.ID}}})
	if err != nil || res[0] != nil {
		t.Fatalf("move %s: %v %v", email, err, res)
	}
}

// TestAuditNeedsManageSecurity: the audit log tells who holds which
// profile and used to carry invitation links, so a user with only Manage
// Roles can open the roles page but neither the audit page nor its CSV;
// an administrator can, and finds no invitation link in either.
func TestAuditNeedsManageSecurity(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	delegate(t, env, "grace.nwosu@example.com", crmguard.PermManageRoles)
	c := login(t, env, "grace.nwosu@example.com", "grace's password")
	if status, _, _ := fetch(t, c, "GET", env.URL+"/console/setup/security/roles", nil); status != http.StatusOK {
		t.Errorf("roles page with Manage Roles: %d", status)
	}
	for _, p := range []string{"/console/setup/audit", "/console/setup/audit.csv", "/console/setup/audit.csv?action=user."} {
		if status, _, body := fetch(t, c, "GET", env.URL+p, nil); status != http.StatusForbidden || strings.Contains(body, "/invite/") {
			t.Errorf("%s with only Manage Roles: %d, want 403", p, status)
		}
	}
	if _, err := env.Svc.Audit(context.Background(), crmguard.Actor{OrgID: env.Org.ID, UserID: env.User(t, "grace.nwosu@example.com").ID,
		Source: crmguard.SourceConsole}, crmguard.AuditFilter{}); err == nil {
		t.Error("service.Audit for a user without Manage_Security succeeded")
	} else if e, ok := crmguard.AsError(err); !ok || e.Code != crmguard.CodeNoPermission {
		t.Errorf("service.Audit: %v, want NO_PERMISSION", err)
	}

	// An administrator invites a user in the console: the page shows the
	// link once; the log and its export never do.
	admin := login(t, env, "arjun.mehta@example.com", "arjun's password")
	_, _, page := fetch(t, admin, "GET", env.URL+"/console/users/new", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf on the invite page: %s", page)
	}
	role, _ := env.Svc.RoleByRef(context.Background(), env.Org.ID, "Manager")
	prof, _ := env.Svc.ProfileByRef(context.Background(), env.Org.ID, crmguard.ProfileAdministrator)
	status, _, page := fetch(t, admin, "POST", env.URL+"/console/users/new", url.Values{"csrf": {m[1]}, "email": {"new.admin@example.com"},
		"last_name": {"Admin"}, "role": {role.ID.String()}, "profile": {prof.ID.String()}})
	if status != http.StatusCreated || !strings.Contains(page, "/invite/") {
		t.Fatalf("invite: %d %s", status, page)
	}
	if status, _, page := fetch(t, admin, "GET", env.URL+"/console/users/"+env.User(t, "new.admin@example.com").ID.String(), nil); status != 200 || strings.Contains(page, "/invite/") {
		t.Errorf("the user's page again: %d, link shown twice: %v", status, strings.Contains(page, "/invite/"))
	}
	if status, _, body := fetch(t, admin, "GET", env.URL+"/console/setup/audit?action=user.", nil); status != http.StatusOK || strings.Contains(body, "/invite/") {
		t.Errorf("audit page as administrator: %d, invitation link present: %v", status, strings.Contains(body, "/invite/"))
	}
	// The export carries the values after each change: the invitation is
	// there (to whom, until when), its link is not.
	status, _, body := fetch(t, admin, "GET", env.URL+"/console/setup/audit.csv", nil)
	if status != http.StatusOK || !strings.Contains(body, "new.admin@example.com") || !strings.Contains(body, "invite_expires") || strings.Contains(body, "/invite/") {
		t.Errorf("audit CSV as administrator: %d, invitation link present: %v", status, strings.Contains(body, "/invite/"))
	}
}
