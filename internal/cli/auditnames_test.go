package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestAuditListNames: the audit table names the actor and a user, profile
// or role target, not their IDs; the JSON keeps the IDs and adds the names.
func TestAuditListNames(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir)
	d := []string{"--data-dir", dir}
	ok := mustRun(t, d)
	ok("added", "user", "add", "--email", "ana@example.com", "--last-name", "Lima", "--profile", "Standard", "--role", "Manager")
	ok("Field Sales", "role", "add", "Field Sales", "--reports-to", "Manager")
	ok("Auditors", "profile", "clone", "Standard", "--name", "Auditors")
	table := ok("SEQ", "audit", "list", "--limit", "3")
	for _, re := range []string{
		`cli\s+admin@example\.com\s+profile\.clone\s+profile Auditors\s`,
		`cli\s+admin@example\.com\s+role\.add\s+role Field Sales\s`,
		`cli\s+admin@example\.com\s+user\.add\s+user ana@example\.com\s`,
	} {
		if !regexp.MustCompile(re).MatchString(table) {
			t.Errorf("audit list lacks %s:\n%s", re, table)
		}
	}
	var l struct {
		Audit []struct {
			ActorID  string `json:"actor_id"`
			Actor    string
			TargetID string `json:"target_id"`
			Target   string
		}
	}
	if err := json.Unmarshal([]byte(ok("audit", "audit", "list", "--action", "user.add", "--json")), &l); err != nil || len(l.Audit) != 1 {
		t.Fatalf("audit list --json: %v %+v", err, l)
	}
	if ev := l.Audit[0]; ev.Actor != "admin@example.com" || ev.Target != "ana@example.com" || ev.ActorID == "" || ev.TargetID == "" {
		t.Errorf("audit list --json: %+v", ev)
	}
	if strings.Contains(table, l.Audit[0].TargetID) {
		t.Errorf("the table shows the target's ID:\n%s", table)
	}
}
