package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestUserListRolesAndPages: the list names each user's role, and pages
// with --limit and --page, saying on stderr when there are more.
func TestUserListRolesAndPages(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir, "--demo")
	d := []string{"--data-dir", dir}
	table, _, code := run(t, noEnv, append([]string{"user", "list"}, d...)...)
	if code != 0 || !regexp.MustCompile(`PROFILE\s+ROLE\s+STATUS`).MatchString(strings.SplitN(table, "\n", 2)[0]) ||
		!regexp.MustCompile(`patricia\.boyle@example\.com\s+Patricia Boyle\s+Sales\s+Manager\s+active`).MatchString(table) {
		t.Errorf("user list: %d\n%s", code, table)
	}
	page := func(args ...string) (emails []string, stderr string) {
		t.Helper()
		stdout, stderr, code := run(t, noEnv, append(append([]string{"user", "list", "--json"}, args...), d...)...)
		var l struct {
			Users []struct{ Email, Role string }
		}
		if err := json.Unmarshal([]byte(stdout), &l); err != nil || code != 0 {
			t.Fatalf("user list %v: %d %v %q", args, code, err, stderr)
		}
		for _, u := range l.Users {
			if u.Role == "" {
				t.Errorf("user %s without a role name", u.Email)
			}
			emails = append(emails, u.Email)
		}
		return emails, stderr
	}
	all, stderr := page()
	if len(all) != 24 || stderr != "" {
		t.Fatalf("all users: %d %q", len(all), stderr)
	}
	first, stderr := page("--limit", "10")
	if len(first) != 10 || !strings.Contains(stderr, "more users: --page 2") {
		t.Errorf("first page: %d %q", len(first), stderr)
	}
	last, stderr := page("--limit", "10", "--page", "3")
	if strings.Join(last, ",") != strings.Join(all[20:], ",") || stderr != "" {
		t.Errorf("last page: %v %q, want %v", last, stderr, all[20:])
	}
	if _, stderr, code := run(t, noEnv, append([]string{"user", "list", "--limit", "0"}, d...)...); code != 2 || !strings.Contains(stderr, "--limit 0") {
		t.Errorf("--limit 0: %d %q", code, stderr)
	}
}
