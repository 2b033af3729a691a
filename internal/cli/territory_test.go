package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTerritoryCommands: the territory tree and its users through the CLI,
// against a running server's data directory, as a user's commands run.
func TestTerritoryCommands(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir, "--demo")
	d := []string{"--data-dir", dir}
	must := mustRun(t, d)
	fails := func(want string, args ...string) {
		t.Helper()
		if _, stderr, code := run(t, noEnv, append(args, d...)...); code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", args, code, stderr, want)
		}
	}
	must("as the root territory", "territory", "add", "Zylker")
	fails("is required", "territory", "add", "Europe")
	must("under Zylker", "territory", "add", "North America", "--reports-to", "Zylker", "--manager", "marcus.webb@example.com")
	must("under North America", "territory", "add", "Canada", "--reports-to", "North America", "--permission", "read_only")
	must("under Zylker", "territory", "add", "Europe", "--reports-to", "zylker")
	fails("DUPLICATE_DATA", "territory", "add", "europe", "--reports-to", "Zylker")
	fails("want one of read_only", "territory", "add", "Asia", "--reports-to", "Zylker", "--permission", "all")
	must("Canada now reports to Zylker", "territory", "move", "Canada", "--reports-to", "Zylker")
	fails("cannot report", "territory", "move", "Zylker", "--reports-to", "Europe")
	fails("below it", "territory", "move", "North America", "--reports-to", "North America")
	must("patricia.boyle@example.com added to Europe", "territory", "assign", "Europe", "patricia.boyle@example.com", "grace.nwosu@example.com")
	fails("DUPLICATE_DATA", "territory", "assign", "Europe", "patricia.boyle@example.com")
	list := must("North America", "territory", "list")
	if !strings.Contains(list, "  Europe") || !strings.Contains(list, "Marcus Webb") {
		t.Errorf("territory list:\n%s", list)
	}
	var got struct {
		Territories []struct {
			Name  string `json:"name"`
			Users int    `json:"users"`
		} `json:"territories"`
	}
	if err := json.Unmarshal([]byte(must("", "territory", "list", "--json")), &got); err != nil || len(got.Territories) != 4 {
		t.Fatalf("territory list --json: %v %+v", err, got)
	}
	for _, tr := range got.Territories {
		if tr.Name == "Europe" && tr.Users != 2 {
			t.Errorf("Europe has %d users, want 2", tr.Users)
		}
	}
	must("grace.nwosu@example.com removed from Europe", "territory", "unassign", "Europe", "grace.nwosu@example.com")
	fails("not a member", "territory", "unassign", "Europe", "grace.nwosu@example.com")
	fails("root territory cannot be deleted", "territory", "delete", "Zylker")
	must(`"deleted": true`, "territory", "delete", "Europe", "--json")
	must("territory.delete", "audit", "list")
}
