package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestGroupCommands: the group command adds, changes, lists and deletes
// user groups through the service the API uses, so each change is audited
// and the API's rules (a unique name, known users and roles) hold.
func TestGroupCommands(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir, "--demo")
	d := []string{"--data-dir", dir}
	must := mustRun(t, d)
	must("added group Field Sales", "group", "add", "Field Sales", "--user", "patricia.boyle@example.com", "--role", "Manager", "--subordinates", "--description", "Out on the road")
	if _, stderr, code := run(t, noEnv, append([]string{"group", "add", "field sales", "--role", "CEO"}, d...)...); code != 1 || !strings.Contains(stderr, "DUPLICATE_DATA") {
		t.Errorf("a duplicate: %d %q", code, stderr)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"group", "add", "Nobody"}, d...)...); code == 0 || !strings.Contains(stderr, "--user or --role") {
		t.Errorf("no sources: %d %q", code, stderr)
	}
	must("1 sources added to group Field Sales", "group", "add-member", "Field Sales", "--role", "CEO")
	must("1 sources removed from group Field Sales", "group", "remove-member", "field sales", "--user", "patricia.boyle@example.com")
	if out := must("Field Sales", "group", "list"); !regexp.MustCompile(`(?m)^\S+\s+Field Sales\s+0\s+2\s*$`).MatchString(out) {
		t.Errorf("group list:\n%s", out)
	}
	var l struct {
		Groups []struct {
			Name    string
			Sources []map[string]any
		} `json:"user_groups"`
	}
	if err := json.Unmarshal([]byte(must("Field Sales", "group", "list", "--json")), &l); err != nil || len(l.Groups) != 1 || len(l.Groups[0].Sources) != 2 {
		t.Errorf("group list --json: %v %+v", err, l)
	}
	if out := must("user_group.", "audit", "list", "--action", "user_group."); strings.Count(out, "user_group.") != 3 {
		t.Errorf("audit of the group changes:\n%s", out)
	}
	must("deleted group Field Sales", "group", "delete", "Field Sales")
	if out := must("", "group", "list", "--json"); !strings.Contains(out, `"user_groups": []`) && !strings.Contains(out, `"user_groups":[]`) {
		t.Errorf("group list after the delete: %s", out)
	}
}
