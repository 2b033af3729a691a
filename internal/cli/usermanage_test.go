package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestUserManageCommands drives show, update, deactivate, activate and
// delete against a running demo server: the API's rules hold, the server
// sees each change, and each is audited once with the source cli.
func TestUserManageCommands(t *testing.T) {
	dir := t.TempDir()
	url, _ := serve(t, dir, "--demo")
	d := []string{"--data-dir", dir}
	ok := mustRun(t, d)
	fails := func(want string, args ...string) {
		t.Helper()
		stdout, stderr, code := run(t, noEnv, append(args, d...)...)
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("%v: %d %q %q, want a failure saying %q", args, code, stdout, stderr, want)
		}
	}
	const pat = "patricia.boyle@example.com"
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(ok("access_token", "token", "issue", "--user", pat, "--scopes", "ZohoCRM.users.READ", "--json")), &tok); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, url+"/crm/v8/users?type=CurrentUser", tok.AccessToken, 200)

	var shown struct {
		Email   string
		Status  string
		Profile struct{ Name string }
		Role    struct{ Name string }
	}
	if err := json.Unmarshal([]byte(ok(pat, "user", "show", pat, "--json")), &shown); err != nil ||
		shown.Profile.Name != "Sales" || shown.Role.Name != "Manager" || shown.Status != "active" {
		t.Errorf("user show --json: %v %+v", err, shown)
	}
	if out := ok("role:", "user", "show", pat); !strings.Contains(out, "Manager") || !strings.Contains(out, "Sales") {
		t.Errorf("user show: %s", out)
	}
	fails("no user with e-mail nobody@example.com", "user", "show", "nobody@example.com")

	// Deactivating stops the user's token on the running server's next
	// requests; doing it twice is refused as the API refuses it.
	ok("deactivated "+pat, "user", "deactivate", pat)
	waitNot(t, url+"/crm/v8/users?type=CurrentUser", tok.AccessToken, 200)
	fails("User is already deactivated", "user", "deactivate", pat)
	fails("Deactivated user cannot be updated", "user", "update", pat, "--first-name", "Pat")
	ok("activated "+pat, "user", "activate", pat)
	fails("User is already active", "user", "activate", pat)
	fails("Primary Contact cannot be deactivated", "user", "deactivate", "admin@example.com")

	ok("updated "+pat, "user", "update", pat, "--first-name", "Pat", "--role", "Sales Rep", "--profile", "Standard")
	if err := json.Unmarshal([]byte(ok(pat, "user", "show", pat, "--json")), &shown); err != nil ||
		shown.Profile.Name != "Standard" || shown.Role.Name != "Sales Rep" {
		t.Errorf("after update: %v %+v", err, shown)
	}
	fails(`--profile "No Such Profile": no profile has this name`, "user", "update", pat, "--profile", "No Such Profile")
	fails("The primary contact must keep the Administrator profile", "user", "update", "admin@example.com", "--profile", "Standard")
	fails("Cannot update the time_zone of another User", "user", "update", pat, "--time-zone", "Europe/Berlin")
	ok(`"time_zone": "Europe/Berlin"`, "user", "update", "admin@example.com", "--time-zone", "Europe/Berlin", "--json")
	if _, stderr, code := run(t, noEnv, append([]string{"user", "update", pat}, d...)...); code != 2 || !strings.Contains(stderr, "nothing to change") {
		t.Errorf("update without flags: %d %q", code, stderr)
	}

	ok("deleted "+pat, "user", "delete", pat)
	// A deleted user's e-mail names no one any more (it may be added
	// again); the user is listed among DeletedUsers.
	fails("no user with e-mail "+pat, "user", "delete", pat)
	ok(pat, "user", "list", "--type", "DeletedUsers")
	fails("Primary contact cannot be deleted", "user", "delete", "admin@example.com")

	var audit struct {
		Audit []struct{ Action, Source string }
	}
	if err := json.Unmarshal([]byte(ok("audit", "audit", "list", "--action", "user.", "--limit", "6", "--json")), &audit); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range audit.Audit {
		got = append(got, ev.Action+"/"+ev.Source)
	}
	want := "user.delete/cli,user.update/cli,user.update/cli,user.activate/cli,user.deactivate/cli"
	if g := strings.Join(got[:5], ","); g != want {
		t.Errorf("audit: %s, want %s", g, want)
	}
}

// waitNot waits until url answers other than status with the token.
func waitNot(t *testing.T, url, token string, status int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, body := get(t, url, token)
		if got != status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still answers %d: %s", url, got, body)
		}
	}
}
