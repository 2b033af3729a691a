package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const exampleSeed = "../../docs/seed-example.yaml"

func writeSeed(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Seed files through every door: check, serve --seed, seed apply to the
// data directory of the running server, the emulator's seed action (good
// and bad), and reset back to the seeded start.
func TestSeedCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	bad := writeSeed(t, dir, "bad.yaml", "users:\n  - email: x@example.com\n    last_name: X\n    role: Manager\n    profile: Nobody\n")
	extra := writeSeed(t, dir, "extra.yaml", "users:\n  - email: extra@example.com\n    last_name: Extra\n    role: Support\n    profile: Support Desk\n")
	later := writeSeed(t, dir, "later.json", `{"users": [{"email": "later@example.com", "last_name": "Later", "role": "Manager", "profile": "Standard"}]}`)

	if out, errOut, code := run(t, noEnv, "seed", "check", exampleSeed, "--data-dir", data); code != 0 || !strings.Contains(out, "is good against a new org") {
		t.Fatalf("check: %d %s%s", code, out, errOut)
	}
	if _, errOut, code := run(t, noEnv, "seed", "check", bad, "--data-dir", data); code != 1 || !strings.Contains(errOut, `line 5, column 14: user x@example.com: profile "Nobody"`) {
		t.Fatalf("check of a bad file: %d %s", code, errOut)
	}
	if _, err := os.Stat(data); err == nil {
		t.Fatal("check made a data directory")
	}

	url, out, _ := serveStoppable(t, "--data-dir", data, "--seed", exampleSeed, "--emulator-key", "k3y")
	banner := out.String()
	m := regexp.MustCompile(`ana-api\s+access\s+(\S+)`).FindStringSubmatch(banner)
	if !strings.Contains(banner, "Seed file "+exampleSeed+" applied: fields 2 new") || m == nil {
		t.Fatalf("banner:\n%s", banner)
	}
	tok := m[1]
	users := func() string {
		t.Helper()
		code, body := get(t, url+"/crm/v8/users?type=AllUsers", tok)
		if code != 200 {
			t.Fatalf("GET users: %d %s", code, body)
		}
		return body
	}
	if !strings.Contains(users(), "ana.silva@example.com") {
		t.Fatal("the seeded user is missing")
	}

	key := func(name string) string {
		if name == "CRMGUARD_EMULATOR_KEY" {
			return "k3y"
		}
		return ""
	}
	// A write from another process reaches the server through its watcher.
	if out, errOut, code := run(t, noEnv, "seed", "apply", later, "--data-dir", data); code != 0 || !strings.Contains(out, "users 1 new") {
		t.Fatalf("seed apply: %d %s%s", code, out, errOut)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(users(), "later@example.com"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the running server does not show what seed apply wrote")
		}
	}
	if _, errOut, code := run(t, key, "emulator", "--url", url, "seed", bad); code != 1 || !strings.Contains(errOut, "line 5, column 14") {
		t.Fatalf("emulator seed of a bad file: %d %s", code, errOut)
	}
	if out, errOut, code := run(t, key, "emulator", "--url", url, "seed", extra); code != 0 || !strings.Contains(out, "users 1 new") {
		t.Fatalf("emulator seed: %d %s%s", code, out, errOut)
	}
	if !strings.Contains(users(), "extra@example.com") {
		t.Fatal("the emulator's seed is not served")
	}
	if _, errOut, code := run(t, key, "emulator", "--url", url, "reset"); code != 0 {
		t.Fatalf("reset: %s", errOut)
	}
	if body := users(); strings.Contains(body, "extra@example.com") || !strings.Contains(body, "ana.silva@example.com") {
		t.Fatal("reset did not return to the seeded start")
	}

}

// A bad seed file stops serve before it listens, naming the line.
func TestServeRefusesBadSeed(t *testing.T) {
	dir := t.TempDir()
	bad := writeSeed(t, dir, "bad.yaml", "roles:\n  - name: A\n    reportingto: CEO\n")
	_, errOut, code := run(t, noEnv, "serve", "--data-dir", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--seed", bad)
	if code == 0 || !strings.Contains(errOut, `line 3, column 5: a role: unknown key "reportingto"`) {
		t.Fatalf("serve with a bad seed: %d %s", code, errOut)
	}
}

// TestSeedCheckLeavesAnEmptyDatabaseAlone: a database with no org yet (made
// by migrate) is checked against a new org in memory and gets none: a
// check changes nothing.
func TestSeedCheckLeavesAnEmptyDatabaseAlone(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := run(t, noEnv, "migrate", "--data-dir", data); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	if out, errOut, code := run(t, noEnv, "seed", "check", exampleSeed, "--data-dir", data); code != 0 || !strings.Contains(out, "is good against a new org") {
		t.Fatalf("check: %d %s%s", code, out, errOut)
	}
	if out, _, code := run(t, noEnv, "user", "list", "--data-dir", data); code == 0 {
		t.Errorf("the check gave the empty database an org:\n%s", out)
	}
}
