package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/cli"
)

// TestJSONOnEveryResult: each command that prints a result prints, with
// --json, one JSON object holding the same facts as its text, so a script
// needs no parsing of sentences. Each runs against a real data directory
// whose server is running, as a user's commands would.
func TestJSONOnEveryResult(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	url, _, _ := serveStoppable(t, "--data-dir", data, "--emulator-key", "k3y")
	d := []string{"--data-dir", data}
	key := func(name string) string {
		if name == "CRMGUARD_EMULATOR_KEY" {
			return "k3y"
		}
		return ""
	}

	// obj runs a command with --json and returns its one JSON object,
	// failing unless it has every key in want.
	objIn := func(stdin string, getenv func(string) string, args []string, want ...string) map[string]any {
		t.Helper()
		var out, errb bytes.Buffer
		err := cli.Run(context.Background(), append(args, "--json"), strings.NewReader(stdin), &out, &errb, getenv)
		if code := cli.ExitCode(err); code != 0 {
			t.Fatalf("%v --json: exit %d: %s", args, code, errb.String())
		}
		stdout := out.String()
		dec := json.NewDecoder(strings.NewReader(stdout))
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%v --json: not a JSON object: %v\n%s", args, err, stdout)
		}
		if dec.More() {
			t.Fatalf("%v --json: more than one JSON value:\n%s", args, stdout)
		}
		for _, k := range want {
			if _, ok := m[k]; !ok {
				t.Errorf("%v --json: no key %q in %s", args, k, stdout)
			}
		}
		return m
	}
	obj := func(getenv func(string) string, args []string, want ...string) map[string]any {
		t.Helper()
		return objIn("", getenv, args, want...)
	}
	with := func(args ...string) []string { return append(args, d...) }

	obj(noEnv, []string{"version"}, "version", "go", "os", "arch")
	obj(noEnv, []string{"migrate", "--data-dir", filepath.Join(dir, "other")}, "data_dir", "up_to_date")

	clone := obj(noEnv, with("profile", "clone", "Standard", "--name", "Integrations", "--description", "API users"),
		"id", "name", "description", "custom", "source_id", "source")
	if clone["name"] != "Integrations" || clone["source"] != "Standard" || clone["custom"] != true {
		t.Errorf("profile clone --json: %v", clone)
	}
	set := obj(noEnv, with("profile", "set", "Integrations", "--api-access", "off"), "id", "name", "api_access", "changed")
	if set["id"] != clone["id"] || set["api_access"] != false {
		t.Errorf("profile set --json: %v", set)
	}
	del := obj(noEnv, with("profile", "delete", "Integrations", "--transfer-to", "Standard"),
		"id", "name", "deleted", "transferred_to_id", "transferred_to")
	if del["id"] != clone["id"] || del["transferred_to"] != "Standard" {
		t.Errorf("profile delete --json: %v", del)
	}

	add := obj(noEnv, with("role", "add", "Product Manager", "--reports-to", "Manager"),
		"id", "name", "description", "share_with_peers", "reporting_to", "reporting_to_name")
	if add["name"] != "Product Manager" || add["reporting_to_name"] != "Manager" {
		t.Errorf("role add --json: %v", add)
	}
	mv := obj(noEnv, with("role", "move", "Product Manager", "--reports-to", "CEO"), "id", "name", "reporting_to", "reporting_to_name")
	if mv["id"] != add["id"] || mv["reporting_to_name"] != "CEO" {
		t.Errorf("role move --json: %v", mv)
	}
	rd := obj(noEnv, with("role", "delete", "Product Manager", "--transfer-to", "Manager"),
		"id", "name", "deleted", "transferred_to_id", "transferred_to")
	if rd["id"] != add["id"] || rd["transferred_to"] != "Manager" {
		t.Errorf("role delete --json: %v", rd)
	}

	rule := obj(noEnv, with("iprule", "add", "--range", "203.0.113.0/24"), "id")
	rm := obj(noEnv, with("iprule", "remove", rule["id"].(string)), "id", "removed")
	if rm["id"] != rule["id"] || rm["removed"] != true {
		t.Errorf("iprule remove --json: %v", rm)
	}

	report := obj(noEnv, with("report", "api-access"), "users")
	if users, _ := report["users"].([]any); len(users) == 0 {
		t.Errorf("report api-access --json: no users: %v", report)
	}

	// A check prints counts, never the seeded tokens' values: its text
	// shows only how many there are.
	chk := obj(noEnv, with("seed", "check", exampleSeed, "--fresh"),
		"file", "against", "valid", "fields", "profiles", "roles", "users", "clients", "tokens")
	if n, ok := chk["tokens"].(float64); !ok || n == 0 {
		t.Errorf("seed check --json: tokens should be a count: %v", chk)
	}
	// The emulator group's --json prints the server's answer.
	emu := obj(key, []string{"emulator", "--url", url, "seed", "--dry-run", exampleSeed}, "message", "details")
	if det, _ := emu["details"].(map[string]any); det["result"] == nil {
		t.Errorf("emulator seed --json: no result: %v", emu)
	}

	ua := obj(noEnv, with("user", "add", "--email", "ana@example.com", "--last-name", "Lima", "--profile", "Standard", "--role", "Manager"),
		"id", "email", "full_name", "profile", "role", "invitation_link")
	if ua["email"] != "ana@example.com" || !strings.HasPrefix(ua["invitation_link"].(string), "http") {
		t.Errorf("user add --json: %v", ua)
	}
	inv := obj(noEnv, with("user", "invite", "ana@example.com"), "id", "email", "invitation_link")
	if inv["id"] != ua["id"] || inv["invitation_link"] == ua["invitation_link"] {
		t.Errorf("user invite --json: %v", inv)
	}
	const password = "Correct-horse-9-battery"
	pw := objIn(password+"\n", noEnv, with("user", "set-password", "ana@example.com"), "id", "email", "password_set", "change_at_next_sign_in")
	if b, _ := json.Marshal(pw); pw["id"] != ua["id"] || pw["change_at_next_sign_in"] != true || strings.Contains(string(b), password) {
		t.Errorf("user set-password --json: %v", pw)
	}
	seeded := obj(noEnv, with("user", "seed", "--count", "3"), "seeded", "duration_ms", "license_users_raised")
	if seeded["seeded"] != float64(3) {
		t.Errorf("user seed --json: %v", seeded)
	}

	tok := obj(noEnv, with("token", "issue", "--scopes", "ZohoCRM.org.READ"), "access_token")
	at := tok["access_token"].(string)
	stdout, stderr, code := run(t, noEnv, with("token", "revoke", at, "--json")...)
	var rev map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &rev) != nil || rev["revoked"] != true {
		t.Errorf("token revoke --json: %d %q %s", code, stdout, stderr)
	}
	if strings.Contains(stdout, at) {
		t.Errorf("token revoke --json prints the token, which its text does not: %s", stdout)
	}
}
