package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// TestServeDemoAfterPlainServe is the README's order: 'serve', stopped,
// then 'serve --demo' on the same data directory. The demo is added to the
// org the first start made (the banner says so and prints working tokens),
// the walk-through's user exists, and a third start adds nothing.
func TestServeDemoAfterPlainServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, _, stop := serveStoppable(t, "--data-dir", dir)
	stop()

	base, out, stop := serveStoppable(t, "--data-dir", dir, "--demo")
	banner := out.String()
	if !strings.Contains(banner, "Added the demo") || !strings.Contains(banner, "Demo org: 24 users") {
		t.Fatalf("serve --demo on an existing org:\n%s", banner)
	}
	if code, body := get(t, base+"/crm/v8/users", demoToken(t, banner)); code != 200 || !strings.Contains(body, "patricia.boyle@example.com") {
		t.Fatalf("the demo banner's token on /users: %d %s", code, body)
	}
	stdout, stderr, code := run(t, noEnv, "token", "issue", "--data-dir", dir, "--user", "patricia.boyle@example.com",
		"--scopes", "ZohoCRM.org.READ", "--json")
	if code != 0 {
		t.Fatalf("the walk-through's token issue: exit %d %s", code, stderr)
	}
	var tok map[string]any
	_ = json.Unmarshal([]byte(stdout), &tok)
	if code, body := get(t, base+"/crm/v8/org", tok["access_token"].(string)); code != 200 {
		t.Fatalf("Patricia on /org: %d %s", code, body)
	}
	stop()

	_, out, _ = serveStoppable(t, "--data-dir", dir, "--demo")
	if banner := out.String(); strings.Contains(banner, "Added the demo") || !strings.Contains(banner, "Demo org: 24 users") {
		t.Fatalf("a second 'serve --demo' changed the org:\n%s", banner)
	}
	stdout, _, _ = run(t, noEnv, "profile", "list", "--data-dir", dir)
	if strings.Count(stdout, "Sales ") != 1 {
		t.Errorf("profiles after two demo starts:\n%s", stdout)
	}
}

// TestFirstStartPrintsWorkingToken: a plain first start prints an admin
// token and a curl line with it that work as printed; the 'token issue'
// command it prints works too.
func TestFirstStartPrintsWorkingToken(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	base, out, _ := serveStoppable(t, "--data-dir", dir)
	banner := out.String()
	m := regexp.MustCompile(`curl -H "Authorization: Zoho-oauthtoken (1000\.\S+)" (\S+)`).FindStringSubmatch(banner)
	if m == nil || !strings.Contains(banner, "access_token:  "+m[1]) || strings.Contains(banner, "$TOKEN") {
		t.Fatalf("first-start banner has no ready token and curl line:\n%s", banner)
	}
	if m[2] != base+"/crm/v8/org" {
		t.Errorf("curl URL %s, want %s/crm/v8/org", m[2], base)
	}
	if code, body := get(t, m[2], m[1]); code != 200 {
		t.Fatalf("the printed curl: %d %s", code, body)
	}
	// The printed command, run without its program part (this test's
	// binary runs the CLI in-process).
	cm := regexp.MustCompile(`(?m)^  go run \S+ (token issue .*)$`).FindStringSubmatch(banner)
	if cm == nil {
		t.Fatalf("no 'go run ... token issue' line (a test binary is a go-build one):\n%s", banner)
	}
	if stdout, stderr, code := run(t, noEnv, strings.Fields(cm[1])...); code != 0 || !strings.Contains(stdout, "access_token:") {
		t.Fatalf("the printed %q: exit %d %s %s", cm[1], code, stdout, stderr)
	}
}

// TestPrintedCommandsRunInAShell builds the binary, starts it twice on one
// data directory and runs what each banner prints in sh, as a user pastes
// it: the first start's curl, then the second start's TOKEN=$(...) and curl.
func TestPrintedCommandsRunInAShell(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; -short skips it")
	}
	for _, tool := range []string{"sh", "curl", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed, and the printed commands use it", tool)
		}
	}
	work := t.TempDir()
	bin := filepath.Join(work, "crmguard")
	if b, err := exec.Command("go", "build", "-o", bin, "../../cmd/crmguard").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	start := func() (string, func()) {
		cmd := exec.Command("./crmguard", "serve", "--addr", "127.0.0.1:0", "--poll-interval", "20ms")
		cmd.Dir = work
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			defer close(lines)
			var sb strings.Builder
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				sb.WriteString(sc.Text() + "\n")
				if strings.HasSuffix(sb.String(), "\n\n") && strings.Contains(sb.String(), "curl") {
					lines <- sb.String()
				}
			}
		}()
		stop := func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }
		select {
		case b := <-lines:
			go func() {
				for range lines {
				}
			}()
			return b, stop
		case <-time.After(30 * time.Second):
			stop()
			t.Fatal("the binary did not print its banner")
		}
		return "", nil
	}
	sh := func(script string) string {
		t.Helper()
		cmd := exec.Command("sh", "-ec", script)
		cmd.Dir = work
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sh: %v\n%s\n%s", err, script, b)
		}
		return string(b)
	}
	banner, stop := start()
	curl := regexp.MustCompile(`(?m)^  (curl .*)$`).FindStringSubmatch(banner)
	if curl == nil {
		t.Fatalf("no curl line:\n%s", banner)
	}
	if out := sh(curl[1] + " -sf"); !strings.Contains(out, `"org":[{`) {
		t.Fatalf("first start's curl: %s", out)
	}
	stop()

	banner, stop = start()
	defer stop()
	script := regexp.MustCompile(`(?m)^  (TOKEN=\$\(\./crmguard token issue .*)\n  (curl .*)$`).FindStringSubmatch(banner)
	if script == nil {
		t.Fatalf("second start prints no TOKEN=$(./crmguard ...) and curl:\n%s", banner)
	}
	if out := sh(script[1] + "\n" + script[2] + " -sf"); !strings.Contains(out, `"org":[{`) {
		t.Fatalf("second start's commands: %s", out)
	}
}

// TestCLIUsesTheServersURL: with the server on a random port, api_domain
// and invitation links from the CLI name that port; --public-url wins.
func TestCLIUsesTheServersURL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	base, _ := serve(t, dir)
	stdout, stderr, code := run(t, noEnv, "token", "issue", "--data-dir", dir, "--scopes", "ZohoCRM.org.READ", "--json")
	var tok map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &tok) != nil {
		t.Fatalf("token issue: exit %d %s %s", code, stdout, stderr)
	}
	if tok["api_domain"] != base {
		t.Errorf("api_domain %v, want %s", tok["api_domain"], base)
	}
	stdout, stderr, code = run(t, noEnv, "user", "add", "--data-dir", dir, "--email", "ana@example.com", "--last-name", "Lima",
		"--profile", "Standard", "--role", "Manager")
	if code != 0 || !strings.Contains(stdout, "invitation link: "+base+"/invite/") {
		t.Fatalf("user add: exit %d %s %s", code, stdout, stderr)
	}
	link := regexp.MustCompile(`invitation link: (\S+)`).FindStringSubmatch(stdout)[1]
	if code, _ := get(t, link, ""); code != 200 {
		t.Errorf("the invitation link answers %d", code)
	}
	stdout, _, _ = run(t, noEnv, "user", "invite", "--data-dir", dir, "ana@example.com")
	if !strings.Contains(stdout, ": "+base+"/invite/") {
		t.Errorf("user invite: %s", stdout)
	}
	stdout, _, _ = run(t, noEnv, "token", "issue", "--data-dir", dir, "--scopes", "ZohoCRM.org.READ", "--json",
		"--public-url", "https://crm.example.test")
	if !strings.Contains(stdout, `"api_domain": "https://crm.example.test"`) {
		t.Errorf("--public-url does not win: %s", stdout)
	}
}

// TestInit: 'init' makes the org, admin and Self Client without a server,
// and 'token issue' works right after; a second init says the org exists
// (exit 1) unless --if-missing.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	stdout, stderr, code := run(t, noEnv, "init", "--data-dir", dir, "--json")
	var res map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil {
		t.Fatalf("init --json: exit %d %s %s", code, stdout, stderr)
	}
	for _, k := range []string{"org_id", "admin_email", "admin_password", "client_id", "client_secret"} {
		if s, _ := res[k].(string); s == "" {
			t.Errorf("init --json lacks %s: %s", k, stdout)
		}
	}
	if _, stderr, code := run(t, noEnv, "token", "issue", "--data-dir", dir, "--scopes", "ZohoCRM.org.READ"); code != 0 {
		t.Fatalf("token issue after init: exit %d %s", code, stderr)
	}
	_, stderr, code = run(t, noEnv, "init", "--data-dir", dir)
	if code != 1 || !strings.Contains(stderr, "already") || !strings.Contains(stderr, "--if-missing") {
		t.Errorf("init on an org: exit %d %q", code, stderr)
	}
	if stdout, _, code := run(t, noEnv, "init", "--data-dir", dir, "--if-missing"); code != 0 || !strings.Contains(stdout, "nothing to do") {
		t.Errorf("init --if-missing: exit %d %q", code, stdout)
	}
	base, _ := serve(t, dir)
	if stdout, _, _ := run(t, noEnv, "client", "list", "--data-dir", dir); !strings.Contains(stdout, res["client_id"].(string)) {
		t.Errorf("the Self Client init made is not listed:\n%s", stdout)
	}
	if code, _ := get(t, base+"/healthz", ""); code != 200 {
		t.Errorf("serve after init: healthz %d", code)
	}
}

// TestInitPassword: the admin's password from the environment or standard
// input signs in and is kept; a short one is refused before anything is made.
func TestInitPassword(t *testing.T) {
	for name, c := range map[string]struct {
		env   map[string]string
		stdin string
	}{
		"env":   {env: map[string]string{"CRMGUARD_ADMIN_PASSWORD": "ci-password-1"}},
		"stdin": {stdin: "ci-password-1\n"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			args := []string{"init", "--data-dir", dir, "--admin-email", "ci@example.com", "--json"}
			var stdout string
			var code int
			if c.env != nil {
				stdout, _, code = run(t, func(k string) string { return c.env[k] }, args...)
			} else {
				stdout, _, code = runIn(t, c.stdin, args...)
			}
			if code != 0 || strings.Contains(stdout, "admin_password") {
				t.Fatalf("init: exit %d %s", code, stdout)
			}
			st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "crmguard.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			svc := service.New(st, service.Config{}, nil)
			org, err := svc.DefaultOrg(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			u, err := svc.Authenticate(context.Background(), org.ID, "ci@example.com", "ci-password-1")
			if err != nil || u.MustChangePassword {
				t.Fatalf("sign-in with the given password: %v, %+v", err, u)
			}
		})
	}
	dir := filepath.Join(t.TempDir(), "data")
	_, stderr, code := runIn(t, "short\n", "init", "--data-dir", dir)
	if code != 1 || !strings.Contains(stderr, "at least 8 characters") {
		t.Errorf("a short password: exit %d %q", code, stderr)
	}
	if _, stderr, code := run(t, noEnv, "init", "--data-dir", dir, "--json"); code != 0 {
		t.Errorf("init after a refused one: exit %d %q", code, stderr)
	}
}

// TestFirstStartTokenSurvivesReset: an in-memory emulator, which the CLI
// cannot reach, prints a ready token that a reset keeps, since a reset
// returns to the state the banner described.
func TestFirstStartTokenSurvivesReset(t *testing.T) {
	base, out, _ := serveStoppable(t, "--in-memory", "--emulator-key", "k")
	tok := demoToken(t, out.String())
	req, _ := http.NewRequest("POST", base+"/__emulator/reset", nil)
	req.Header.Set("X-Emulator-Key", "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if code, body := get(t, base+"/crm/v8/org", tok); code != 200 {
		t.Fatalf("the banner's token after a reset: %d %s", code, body)
	}
}
