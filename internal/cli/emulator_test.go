package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/cli"
)

// serveStoppable starts 'crmguard serve' like serve does and also returns
// a stop that ends it gracefully and waits, so a test can look at what a
// stop leaves behind.
func serveStoppable(t *testing.T, args ...string) (url string, out *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan error, 1)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--poll-interval", "20ms"}, args...)
	go func() { done <- cli.Run(ctx, args, strings.NewReader(""), out, io.Discard, noEnv) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(stop)
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		s := out.String()
		if m := re.FindStringSubmatch(s); m != nil && strings.HasSuffix(s, "\n\n") {
			return m[1], out, stop
		}
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("serve exited: %v\n%s", err, out.String())
		default:
		}
	}
	t.Fatalf("serve did not start:\n%s", out.String())
	return "", nil, nil
}

func demoToken(t *testing.T, banner string) string {
	t.Helper()
	m := regexp.MustCompile(`access_token:\s+(\S+)`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("no token in the banner:\n%s", banner)
	}
	return m[1]
}

func TestEmulatorCommands(t *testing.T) {
	dir := t.TempDir()
	exported := filepath.Join(dir, "on-exit.json")
	url, out, stop := serveStoppable(t, "--data-dir", filepath.Join(dir, "data"), "--demo", "--emulator-key", "k3y", "--export-on-exit", exported)
	banner := out.String()
	if !strings.Contains(banner, "Emulator control API: "+url+"/__emulator/") || !strings.Contains(banner, "key:           k3y") {
		t.Fatalf("banner does not show the emulator:\n%s", banner)
	}
	tok := demoToken(t, banner)
	withKey := func(k string) func(string) string {
		return func(name string) string {
			if name == "CRMGUARD_EMULATOR_KEY" {
				return k
			}
			return ""
		}
	}
	emu := func(want int, args ...string) string {
		t.Helper()
		stdout, stderr, code := run(t, withKey("k3y"), append([]string{"emulator", "--url", url}, args...)...)
		if code != want {
			t.Fatalf("emulator %v: exit %d, want %d\n%s%s", args, code, want, stdout, stderr)
		}
		return stdout + stderr
	}
	users := func() string {
		t.Helper()
		code, body := get(t, url+"/crm/v8/users?type=AllUsers", tok)
		if code != 200 {
			t.Fatalf("GET users: %d %s", code, body)
		}
		return body
	}
	start := users()

	if got := emu(0, "clock", "--advance", "61m"); !strings.Contains(got, "running, 1h1m0s from real time") {
		t.Fatalf("clock --advance: %s", got)
	}
	if code, body := get(t, url+"/crm/v8/users", tok); code != 401 || !strings.Contains(body, "INVALID_TOKEN") {
		t.Fatalf("after 61 minutes: %d %s", code, body)
	}
	if got := emu(0, "reset"); !strings.Contains(got, "state reset in") {
		t.Fatalf("reset: %s", got)
	}
	users()
	if got := emu(0, "clock", "--freeze"); !strings.Contains(got, "(frozen,") {
		t.Fatalf("clock --freeze: %s", got)
	}
	emu(0, "clock", "--resume")

	emu(0, "snapshot", "save", "s1")
	var list struct {
		Snapshots []struct{ Name string } `json:"snapshots"`
	}
	if err := json.Unmarshal([]byte(emu(0, "snapshot", "list", "--json")), &list); err != nil || len(list.Snapshots) != 1 || list.Snapshots[0].Name != "s1" {
		t.Fatalf("snapshot list --json: %+v %v", list, err)
	}
	if got := emu(0, "snapshot", "list"); !strings.HasPrefix(got, "NAME") || !strings.Contains(got, "s1") {
		t.Fatalf("snapshot list: %s", got)
	}
	file := filepath.Join(dir, "state.json")
	emu(0, "export", file)
	emu(0, "snapshot", "restore", "s1")
	emu(0, "import", file)
	if users() != start {
		t.Fatal("users changed across snapshot, export and import of one state")
	}
	emu(1, "snapshot", "restore", "nope")
	emu(1, "import", "/dev/null")

	// The key: wrong is the server's refusal (1), missing is usage (2).
	if _, stderr, code := run(t, withKey("wrong"), "emulator", "--url", url, "reset"); code != 1 || !strings.Contains(stderr, "AUTHENTICATION_FAILURE") {
		t.Fatalf("wrong key: exit %d %s", code, stderr)
	}
	if _, _, code := run(t, noEnv, "emulator", "--url", url, "reset"); code != 2 {
		t.Fatalf("no key: exit %d", code)
	}
	emu(2, "clock", "--freeze", "--resume")
	emu(2, "clock", "--set", "tomorrow")
	emu(2, "snapshot", "save")

	stop()
	b, err := os.ReadFile(exported)
	if err != nil {
		t.Fatalf("--export-on-exit: %v", err)
	}
	state, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(state) {
		t.Fatal("the export written on exit differs from the export of the same state")
	}

	// serve --import starts a fresh data directory on that state.
	url2, _, _ := serveStoppable(t, "--data-dir", filepath.Join(dir, "other"), "--import", exported)
	code, body := get(t, url2+"/crm/v8/users?type=AllUsers", tok)
	if code != 200 || body != start {
		t.Fatalf("server started with --import: %d\n%s\nwant\n%s", code, body, start)
	}
	// Without --emulator the control API is not there.
	if stdout, stderr, code := run(t, withKey("k3y"), "emulator", "--url", url2, "reset"); code != 1 || !strings.Contains(stderr, "no emulator API") {
		t.Fatalf("emulator off: exit %d %s%s", code, stdout, stderr)
	}
	if _, stderr, code := run(t, noEnv, "serve", "--import", filepath.Join(dir, "missing.json")); code != 2 || !strings.Contains(stderr, "--import") {
		t.Fatalf("a missing --import file: exit %d %s", code, stderr)
	}
}

func TestServeInMemoryWritesNoFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // the default data directory is relative
	url, out, stop := serveStoppable(t, "--in-memory", "--demo", "--emulator")
	if !strings.Contains(out.String(), "(data in memory only)") {
		t.Fatalf("banner:\n%s", out.String())
	}
	tok := demoToken(t, out.String())
	if code, body := get(t, url+"/crm/v8/users", tok); code != 200 {
		t.Fatalf("GET users: %d %s", code, body)
	}
	key := regexp.MustCompile(`key:\s+([0-9a-f]{32,})`).FindStringSubmatch(out.String())
	if key == nil {
		t.Fatalf("no random key in the banner:\n%s", out.String())
	}
	if _, stderr, code := run(t, func(string) string { return "" }, "emulator", "--url", url, "--key", key[1], "reset"); code != 0 {
		t.Fatalf("reset: %d %s", code, stderr)
	}
	stop()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("in-memory serve left %s", e.Name())
	}
}

func TestEmulatorHelp(t *testing.T) {
	stdout, _, code := run(t, noEnv, "emulator", "--help")
	if code != 0 || !strings.Contains(stdout, "CRMGUARD_EMULATOR_KEY") || !strings.Contains(stdout, "snapshot") || !strings.Contains(stdout, "clock") {
		t.Fatalf("emulator --help: %d\n%s", code, stdout)
	}
	stdout, _, code = run(t, noEnv, "serve", "--help")
	for _, flag := range []string{"--emulator", "--emulator-key", "--import", "--export-on-exit", "--in-memory"} {
		if code != 0 || !strings.Contains(stdout, flag) {
			t.Errorf("serve --help lacks %s", flag)
		}
	}
}
