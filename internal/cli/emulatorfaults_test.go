package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmulatorFaultsAndJournal drives 'crmguard emulator faults' and
// 'crmguard emulator journal' against a running serve.
func TestEmulatorFaultsAndJournal(t *testing.T) {
	dir := t.TempDir()
	url, out, _ := serveStoppable(t, "--data-dir", filepath.Join(dir, "data"), "--demo", "--emulator-key", "k3y")
	tok := demoToken(t, out.String())
	env := func(name string) string {
		if name == "CRMGUARD_EMULATOR_KEY" {
			return "k3y"
		}
		return ""
	}
	emu := func(want int, args ...string) string {
		t.Helper()
		stdout, stderr, code := run(t, env, append([]string{"emulator", "--url", url}, args...)...)
		if code != want {
			t.Fatalf("emulator %v: exit %d, want %d\n%s%s", args, code, want, stdout, stderr)
		}
		return stdout + stderr
	}

	if got := emu(0, "faults", "add", "error", "--route", "GET /crm/{version}/users", "--code", "INTERNAL_ERROR", "--count", "2"); !strings.Contains(got, "fault 1 added: error INTERNAL_ERROR") {
		t.Fatalf("faults add: %s", got)
	}
	emu(0, "faults", "add", "throttle", "--user", "nobody@example.com", "--count", "0", "--retry-after", "9")
	if got := emu(0, "faults", "list"); !strings.Contains(got, "route=GET /crm/{version}/users") || !strings.Contains(got, "until cleared") ||
		!strings.Contains(got, "429, Retry-After 9") {
		t.Fatalf("faults list:\n%s", got)
	}
	if code, body := get(t, url+"/crm/v8/users", tok); code != 500 || !strings.Contains(body, "INTERNAL_ERROR") {
		t.Fatalf("faulted call: %d %s", code, body)
	}
	var l struct {
		Faults []struct {
			ID        string
			Remaining *int
		}
	}
	if err := json.Unmarshal([]byte(emu(0, "faults", "list", "--json")), &l); err != nil || len(l.Faults) != 2 || *l.Faults[0].Remaining != 1 {
		t.Fatalf("faults list --json: %+v %v", l, err)
	}
	emu(0, "faults", "clear", "2")
	emu(1, "faults", "clear", "2")
	emu(0, "faults", "clear")
	emu(1, "faults", "add", "explode")
	if code, _ := get(t, url+"/crm/v8/users", tok); code != 200 {
		t.Fatalf("after clear: %d", code)
	}
	get(t, url+"/crm/v8/org", "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef")

	got := emu(0, "journal")
	for _, want := range []string{"DECISION", "fault 1: error INTERNAL_ERROR", "allowed", "denied at token: unknown or forged token"} {
		if !strings.Contains(got, want) {
			t.Errorf("journal lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, tok) {
		t.Error("the journal shows the token")
	}
	var j struct {
		Entries []struct {
			Status   int
			Decision string
		}
	}
	if err := json.Unmarshal([]byte(emu(0, "journal", "--status", "401", "--json")), &j); err != nil || len(j.Entries) != 1 ||
		!strings.HasPrefix(j.Entries[0].Decision, "denied at token") {
		t.Fatalf("journal --status 401 --json: %+v %v", j, err)
	}
	emu(1, "journal", "--status", "teapot")
	emu(0, "journal", "--clear")
	if got := emu(0, "journal", "--json"); !strings.Contains(got, `"entries":[]`) {
		t.Fatalf("after --clear: %s", got)
	}
}
