package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/cli"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// runIn runs the CLI with stdin (a pipe, as a script would give it).
func runIn(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, noEnv)
	return out.String(), errb.String(), cli.ExitCode(err)
}

// TestSetPassword: an administrator who lost their password gets back in
// with 'user set-password' on the server's data directory: the new password
// signs in and must be changed at once, unless --permanent; the old one no
// longer works; the audit log records the change without the password.
func TestSetPassword(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	d := []string{"--data-dir", filepath.Dir(env.Path)}
	admin := env.Boot.Admin.Email
	const fresh = "a fresh start 2"

	stdout, stderr, code := runIn(t, fresh+"\n", append([]string{"user", "set-password", admin}, d...)...)
	if code != 0 || !strings.Contains(stdout, "next sign-in") || strings.Contains(stdout+stderr, fresh) {
		t.Fatalf("set-password: %d %q %q", code, stdout, stderr)
	}
	u, err := env.Svc.Authenticate(ctx, env.Org.ID, admin, fresh)
	if err != nil || !u.MustChangePassword {
		t.Errorf("sign in with the new password: %v, must change %v", err, u != nil && u.MustChangePassword)
	}
	if _, err := env.Svc.Authenticate(ctx, env.Org.ID, admin, env.Boot.AdminPassword); err == nil {
		t.Error("the old password still signs in")
	}

	// --permanent, from a file without a final newline; an unconfirmed user
	// becomes able to sign in and their invitation link stops working.
	priya := env.User(t, "priya.raman@example.com")
	link, err := env.Svc.Reinvite(ctx, env.Admin, priya.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runIn(t, "priya's own one", append([]string{"user", "set-password", priya.Email, "--permanent"}, d...)...); code != 0 {
		t.Fatalf("set-password --permanent: %d %q", code, stderr)
	}
	if u, err := env.Svc.Authenticate(ctx, env.Org.ID, priya.Email, "priya's own one"); err != nil || u.MustChangePassword || !u.Confirmed {
		t.Errorf("--permanent: %v %+v", err, u)
	}
	if _, err := env.Svc.InvitedUser(ctx, link[strings.LastIndex(link, "/")+1:]); err != service.ErrInviteInvalid {
		t.Errorf("the invitation link after set-password: %v", err)
	}

	for _, c := range []struct {
		stdin string
		code  int
		want  string
	}{
		{"", 2, "no password"},
		{"\n", 2, "no password"},
		{"short\n", 1, "INVALID_DATA"},
	} {
		if _, stderr, code := runIn(t, c.stdin, append([]string{"user", "set-password", admin}, d...)...); code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("stdin %q: %d %q", c.stdin, code, stderr)
		}
	}
	if _, stderr, code := runIn(t, fresh, append([]string{"user", "set-password", "nobody@example.com"}, d...)...); code != 1 {
		t.Errorf("unknown user: %d %q", code, stderr)
	}

	evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == "user.password" && e.Source == "cli" {
			n++
		}
		if strings.Contains(string(e.After), fresh) || strings.Contains(string(e.After), "priya's own one") || strings.Contains(string(e.After), "/invite/") {
			t.Errorf("%s holds a secret: %s", e.Action, e.After)
		}
	}
	if n != 2 {
		t.Errorf("%d user.password events from the CLI, want 2", n)
	}
}
