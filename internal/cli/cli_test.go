package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/cli"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noEnv(string) string { return "" }

// run runs one command and returns its stdout, stderr and exit code.
func run(t *testing.T, getenv func(string) string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb, getenv)
	return out.String(), errb.String(), cli.ExitCode(err)
}

// serve starts 'crmguard serve' on a free port and returns its base URL and
// stdout; it stops when the test ends.
func serve(t *testing.T, dir string, extra ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	args := append([]string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0", "--poll-interval", "20ms"}, extra...)
	go func() { done <- cli.Run(ctx, args, strings.NewReader(""), out, io.Discard, noEnv) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil && bannerDone(out.String()) {
			return m[1], out
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, out.String())
		default:
		}
	}
	t.Fatalf("serve did not start:\n%s", out.String())
	return "", nil
}

// bannerDone reports whether serve has printed its whole banner: it ends
// with a blank line, after the curl line every banner has. Reading it
// earlier can miss its last lines.
func bannerDone(s string) bool {
	return strings.Contains(s, "curl") && strings.HasSuffix(s, "\n\n")
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeBootstrapsAndReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	base, out := serve(t, dir)
	banner := out.String()
	for _, want := range []string{"admin@example.com", "password:", "client_id 1000.", "client_secret", "crmguard token issue"} {
		if !strings.Contains(banner, want) {
			t.Errorf("first-start banner lacks %q:\n%s", want, banner)
		}
	}
	// The CLI works on the data directory while the server runs.
	stdout, stderr, code := run(t, noEnv, "token", "issue", "--data-dir", dir, "--scopes", "ZohoCRM.org.READ", "--json")
	if code != 0 {
		t.Fatalf("token issue: exit %d: %s", code, stderr)
	}
	var tok map[string]any
	if err := json.Unmarshal([]byte(stdout), &tok); err != nil {
		t.Fatalf("token issue --json: %v\n%s", err, stdout)
	}
	for _, k := range []string{"access_token", "expires_in", "api_domain", "token_type"} {
		if _, ok := tok[k]; !ok {
			t.Errorf("token issue --json lacks %q: %s", k, stdout)
		}
	}
	if _, ok := tok["refresh_token"]; ok {
		t.Errorf("token issue without --refresh printed a refresh token")
	}
	at := tok["access_token"].(string)
	if code, body := get(t, base+"/crm/v8/org", at); code != 200 || !strings.Contains(body, `"org":[{`) {
		t.Fatalf("GET /org with the issued token: %d %s", code, body)
	}

	// An IP rule added from the CLI applies to the running server's next
	// requests (after its poll interval); removing it lifts it.
	stdout, stderr, code = run(t, noEnv, "iprule", "add", "--data-dir", dir, "--range", "203.0.113.0/24", "--json")
	if code != 0 {
		t.Fatalf("iprule add: exit %d: %s", code, stderr)
	}
	var rule map[string]any
	if err := json.Unmarshal([]byte(stdout), &rule); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"/crm/v8/org", at, 403)
	if _, stderr, code = run(t, noEnv, "iprule", "remove", "--data-dir", dir, rule["id"].(string)); code != 0 {
		t.Fatalf("iprule remove: %s", stderr)
	}
	waitStatus(t, base+"/crm/v8/org", at, 200)

	// Revoking from the CLI also reaches the server.
	if _, stderr, code = run(t, noEnv, "token", "revoke", "--data-dir", dir, at); code != 0 {
		t.Fatalf("token revoke: %s", stderr)
	}
	waitStatus(t, base+"/crm/v8/org", at, 401)
}

func waitStatus(t *testing.T, url, token string, want int) {
	t.Helper()
	var code int
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if code, body = get(t, url, token); code == want {
			return
		}
	}
	t.Fatalf("GET %s: got %d %s, want %d", url, code, body, want)
}

func TestServeSecondStartReusesData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if _, _, code := run(t, noEnv, "migrate", "--data-dir", dir); code != 0 {
		t.Fatal("migrate failed")
	}
	// A database without an org is reported clearly.
	if _, stderr, code := run(t, noEnv, "client", "list", "--data-dir", dir); code != 1 || !strings.Contains(stderr, "no org yet") {
		t.Fatalf("client list on an empty database: exit %d, %q", code, stderr)
	}
	func() {
		ctx, cancel := context.WithCancel(context.Background())
		out := &syncBuffer{}
		done := make(chan error, 1)
		go func() {
			done <- cli.Run(ctx, []string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"}, nil, out, io.Discard, noEnv)
		}()
		for !bannerDone(out.String()) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}()
	base, out := serve(t, dir)
	if strings.Contains(out.String(), "password:") {
		t.Errorf("second start bootstrapped again:\n%s", out.String())
	}
	if code, _ := get(t, base+"/healthz", ""); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	stdout, _, code := run(t, noEnv, "client", "list", "--data-dir", dir, "--json")
	var list struct {
		Clients []map[string]any `json:"clients"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &list) != nil || len(list.Clients) != 1 {
		t.Fatalf("client list --json: exit %d, %s", code, stdout)
	}
}

func TestServeDemoPrintsWorkingTokens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	base, out := serve(t, dir, "--demo")
	m := regexp.MustCompile(`access_token:\s+(1000\.[0-9a-f]{32}\.[0-9a-f]{32})`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "refresh_token:") {
		t.Fatalf("demo banner lacks tokens:\n%s", out.String())
	}
	if code, body := get(t, base+"/crm/v8/org", m[1]); code != 200 {
		t.Fatalf("demo token on /org: %d %s", code, body)
	}
	stdout, _, _ := run(t, noEnv, "iprule", "list", "--data-dir", dir)
	if !strings.HasPrefix(stdout, "ID") {
		t.Errorf("iprule list prints a table with a header, got %q", stdout)
	}
}

func TestClientAndGrantCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	serve(t, dir)
	stdout, stderr, code := run(t, noEnv, "client", "create", "--data-dir", dir, "--name", "My app",
		"--redirect-uri", "http://localhost:9000/cb", "--json")
	if code != 0 {
		t.Fatalf("client create: %s", stderr)
	}
	var cl map[string]any
	if err := json.Unmarshal([]byte(stdout), &cl); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^1000\.[A-Z0-9]{30}$`).MatchString(cl["client_id"].(string)) || cl["client_secret"] == "" || cl["type"] != "server_based" {
		t.Errorf("client create --json: %s", stdout)
	}
	stdout, stderr, code = run(t, noEnv, "client", "create", "--data-dir", dir, "--name", "Job", "--json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var self map[string]any
	_ = json.Unmarshal([]byte(stdout), &self)
	stdout, stderr, code = run(t, noEnv, "token", "grant", "--data-dir", dir, "--client-id", self["client_id"].(string),
		"--scopes", "ZohoCRM.users.ALL", "--json")
	if code != 0 {
		t.Fatalf("token grant: %s", stderr)
	}
	var g map[string]any
	if err := json.Unmarshal([]byte(stdout), &g); err != nil || !regexp.MustCompile(`^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$`).MatchString(g["code"].(string)) {
		t.Errorf("token grant --json: %s", stdout)
	}
	// Errors are clear and exit 1.
	_, stderr, code = run(t, noEnv, "token", "grant", "--data-dir", dir, "--client-id", "1000.NOPE", "--scopes", "ZohoCRM.users.ALL")
	if code != 1 || !strings.Contains(stderr, "invalid_client") {
		t.Errorf("unknown client: exit %d, %q", code, stderr)
	}
	_, stderr, code = run(t, noEnv, "token", "issue", "--data-dir", dir, "--scopes", "ZohoCRM.nothing")
	if code != 1 || !strings.Contains(stderr, "invalid_scope") {
		t.Errorf("bad scope: exit %d, %q", code, stderr)
	}
	_, stderr, code = run(t, noEnv, "token", "issue", "--data-dir", dir, "--scopes", "ZohoCRM.users.ALL", "--user", "nobody@example.com")
	if code != 1 || !strings.Contains(stderr, "nobody@example.com") {
		t.Errorf("unknown user: exit %d, %q", code, stderr)
	}
	_, stderr, code = run(t, noEnv, "iprule", "add", "--data-dir", dir, "--range", "10.0.0.0/33")
	if code != 1 || !strings.Contains(stderr, "invalid IP range") {
		t.Errorf("bad range: exit %d, %q", code, stderr)
	}
	_, stderr, code = run(t, noEnv, "iprule", "add", "--data-dir", dir, "--range", "10.0.0.0/8", "--applies-to", "profile", "--target", "Nope")
	if code != 1 || !strings.Contains(stderr, "no profile Nope") {
		t.Errorf("unknown profile: exit %d, %q", code, stderr)
	}
	stdout, stderr, code = run(t, noEnv, "iprule", "add", "--data-dir", dir, "--range", "2001:db8::/32", "--applies-to", "profile", "--target", "standard", "--json")
	if code != 0 || !strings.Contains(stdout, `"range": "2001:db8::/32"`) {
		t.Errorf("IPv6 profile rule: exit %d, %s %s", code, stdout, stderr)
	}
}

func TestHelpUsageAndConfig(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"client", "--help"}, {"client", "create", "--help"},
		{"client", "list", "--help"}, {"token", "--help"}, {"token", "grant", "--help"}, {"token", "issue", "--help"},
		{"token", "revoke", "--help"}, {"iprule", "--help"}, {"iprule", "add", "--help"}, {"iprule", "list", "--help"},
		{"iprule", "remove", "--help"}, {"profile", "--help"}, {"profile", "list", "--help"}, {"profile", "set", "--help"},
		{"user", "--help"}, {"user", "list", "--help"}, {"user", "add", "--help"}, {"user", "invite", "--help"},
		{"user", "seed", "--help"}, {"field", "--help"}, {"field", "list", "--help"}, {"field", "add", "--help"},
		{"audit", "--help"}, {"audit", "list", "--help"}, {"profile", "show", "--help"}, {"profile", "clone", "--help"},
		{"profile", "delete", "--help"}, {"role", "--help"}, {"role", "list", "--help"}, {"role", "add", "--help"},
		{"role", "move", "--help"}, {"role", "delete", "--help"}, {"report", "--help"}, {"report", "api-access", "--help"},
	} {
		stdout, _, code := run(t, noEnv, args...)
		if code != 0 || !strings.Contains(stdout, "Usage:") {
			t.Errorf("%v: exit %d, output %q", args, code, stdout)
		}
	}
	dir := t.TempDir()
	cases := []struct {
		args   []string
		env    map[string]string
		code   int
		stderr string
	}{
		{[]string{"bogus"}, nil, 2, "unknown command"},
		{[]string{"serve", "--nope"}, nil, 2, "unknown flag"},
		{[]string{"serve", "--data-dir", dir}, map[string]string{"CRMGUARD_ADDR": "127.0.0.1:0", "CRMGUARD_LOG_LEVEL": "loud"}, 2, "--log-level \"loud\""},
		{[]string{"serve", "--data-dir", dir}, map[string]string{"CRMGUARD_GRANT_TTL": "soon"}, 2, "invalid value \"soon\" in CRMGUARD_GRANT_TTL"},
		{[]string{"serve", "--data-dir", dir, "--edition", "gold"}, nil, 2, "--edition \"gold\""},
		{[]string{"serve", "--data-dir", dir, "--trusted-proxies", "x"}, nil, 2, "--trusted-proxies"},
		{[]string{"serve", "--data-dir", dir, "--addr", "256.0.0.1:1"}, nil, 1, "listen on 256.0.0.1:1"},
		{[]string{"token", "issue", "--data-dir", filepath.Join(dir, "none"), "--scopes", "ZohoCRM.users.ALL"}, nil, 1, "no database"},
		{[]string{"token", "issue"}, nil, 2, "--scopes is required"},
		{[]string{"iprule", "remove", "abc"}, nil, 2, "not a rule ID"},
		{[]string{"user", "seed"}, nil, 2, "--count must be at least 1"},
		{[]string{"user", "add", "--email", "a@b.co"}, nil, 2, "are required"},
		{[]string{"field", "add", "--label", "X"}, nil, 2, "--label and --type are required"},
	}
	for _, c := range cases {
		getenv := func(k string) string { return c.env[k] }
		_, stderr, code := run(t, getenv, c.args...)
		if code != c.code || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%v %v: exit %d, stderr %q; want exit %d and %q", c.args, c.env, code, stderr, c.code, c.stderr)
		}
	}
}

// TestReadmeWalkthrough is the README's two-minute walk-through: a token of a
// Sales user reads /org; with the Sales profile's API access off the same
// call is denied; on again, allowed.
func TestReadmeWalkthrough(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	base, _ := serve(t, dir, "--demo")
	stdout, stderr, code := run(t, noEnv, "token", "issue", "--data-dir", dir, "--user", "patricia.boyle@example.com",
		"--scopes", "ZohoCRM.org.READ", "--json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var tok map[string]any
	_ = json.Unmarshal([]byte(stdout), &tok)
	at := tok["access_token"].(string)
	waitStatus(t, base+"/crm/v8/org", at, 200)

	stdout, stderr, code = run(t, noEnv, "profile", "set", "--data-dir", dir, "Sales", "--api-access", "off")
	if code != 0 || !strings.Contains(stdout, "Zoho CRM API Access: OFF") {
		t.Fatalf("profile set: exit %d %s %s", code, stdout, stderr)
	}
	waitStatus(t, base+"/crm/v8/org", at, 403)
	_, body := get(t, base+"/crm/v8/org", at)
	if body != `{"code":"NO_PERMISSION","details":{"permissions":["Crm_Implied_Api_Access"]},"message":"permission denied","status":"error"}` {
		t.Errorf("denial body: %s", body)
	}
	if _, stderr, code = run(t, noEnv, "profile", "set", "--data-dir", dir, "sales", "--api-access", "on"); code != 0 {
		t.Fatal(stderr)
	}
	waitStatus(t, base+"/crm/v8/org", at, 200)

	stdout, _, _ = run(t, noEnv, "profile", "list", "--data-dir", dir)
	for _, want := range []string{"Administrator  ON", "Standard       OFF", "Sales          ON", "Support        OFF"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("profile list lacks %q:\n%s", want, stdout)
		}
	}
	_, stderr, code = run(t, noEnv, "profile", "set", "--data-dir", dir, "Administrator", "--api-access", "off")
	if code != 1 || !strings.Contains(stderr, "cannot be edited") {
		t.Errorf("editing Administrator: exit %d %q", code, stderr)
	}
	_, stderr, code = run(t, noEnv, "profile", "set", "--data-dir", dir, "Sales", "--permission", "Crm_Nope=on")
	if code != 1 || !strings.Contains(stderr, "INVALID_DATA") {
		t.Errorf("unknown permission: exit %d %q", code, stderr)
	}
	_, stderr, code = run(t, noEnv, "profile", "set", "--data-dir", dir, "Sales", "--api-access", "maybe")
	if code != 2 {
		t.Errorf("bad on/off: exit %d %q", code, stderr)
	}
}

// TestUserAndFieldCommands: custom fields and users made with the CLI show
// in the running server's API; the invitation link works; seeding is seen
// on the server's next request.
func TestUserAndFieldCommands(t *testing.T) {
	dir := t.TempDir()
	url, out := serve(t, dir, "--demo")
	tok := regexp.MustCompile(`Zoho-oauthtoken (1000\.[0-9a-f.]+)`).FindStringSubmatch(out.String())[1]
	d := []string{"--data-dir", dir}
	stdout, stderr, code := run(t, noEnv, append([]string{"field", "add", "--label", "Employee Number", "--type", "number"}, d...)...)
	if code != 0 || !strings.Contains(stdout, "API name Employee_Number") {
		t.Fatalf("field add: %d %q %q", code, stdout, stderr)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"field", "add", "--label", "Employee number", "--type", "number"}, d...)...); code != 1 || !strings.Contains(stderr, "DUPLICATE_DATA") {
		t.Errorf("same label again: %d %q", code, stderr)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"field", "add", "--label", "Shoe", "--type", "shoe"}, d...)...); code != 1 || !strings.Contains(stderr, "INVALID_DATA") {
		t.Errorf("unknown type: %d %q", code, stderr)
	}
	waitStatus(t, url+"/crm/v8/settings/fields?module=users", tok, 200)
	if _, body := get(t, url+"/crm/v8/settings/fields?module=users", tok); !strings.Contains(body, `"api_name":"Employee_Number"`) {
		t.Errorf("fields metadata lacks the new field: %s", body)
	}
	stdout, stderr, code = run(t, noEnv, append([]string{"user", "add", "--email", "ana.lima@example.com", "--first-name", "Ana",
		"--last-name", "Lima", "--profile", "Sales", "--role", "Manager", "--public-url", url}, d...)...)
	link := regexp.MustCompile(`invitation link: (\S+)`).FindStringSubmatch(stdout)
	if code != 0 || link == nil {
		t.Fatalf("user add: %d %q %q", code, stdout, stderr)
	}
	if status, page := get(t, link[1], ""); status != 200 || !strings.Contains(page, "ana.lima@example.com") {
		t.Errorf("invitation page: %d %s", status, page)
	}
	stdout, _, code = run(t, noEnv, append([]string{"user", "list", "--type", "NotConfirmedUsers", "--json"}, d...)...)
	var list struct{ Users []struct{ Email string } }
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || code != 0 || len(list.Users) != 2 {
		t.Errorf("user list: %d %v %q", code, err, stdout)
	}
	if stdout, _, code = run(t, noEnv, append([]string{"user", "invite", "ana.lima@example.com", "--public-url", url}, d...)...); code != 0 || !strings.Contains(stdout, url+"/invite/") {
		t.Errorf("user invite: %d %q", code, stdout)
	}
	if status, _ := get(t, link[1], ""); status != 404 {
		t.Errorf("the first link after a new invitation: %d, want 404", status)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"user", "invite", "patricia.boyle@example.com"}, d...)...); code != 1 || !strings.Contains(stderr, "Re-invite is not allowed") {
		t.Errorf("inviting a confirmed user: %d %q", code, stderr)
	}
	// A user added through the API: the audit log says an invitation was
	// made, never the link; 'user invite' makes one.
	req, _ := http.NewRequest("POST", url+"/crm/v8/users", strings.NewReader(`{"users":[{"last_name":"Api","email":"api@example.com","role":{"id":"`+
		roleID(t, url, tok)+`"},"profile":"`+profileID(t, url, tok)+`"}]}`))
	req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("POST /users: %v %v", resp, err)
	}
	stdout, _, code = run(t, noEnv, append([]string{"audit", "list", "--action", "user.add", "--limit", "1", "--json"}, d...)...)
	var audit struct {
		Audit []struct {
			Source string
			After  struct {
				Email         string    `json:"email"`
				InviteExpires time.Time `json:"invite_expires"`
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &audit); err != nil || code != 0 || len(audit.Audit) != 1 ||
		audit.Audit[0].Source != "api" || audit.Audit[0].After.Email != "api@example.com" || audit.Audit[0].After.InviteExpires.IsZero() ||
		strings.Contains(stdout, "/invite/") {
		t.Errorf("audit list: %d %v %s", code, err, stdout)
	}
	if stdout, _, code = run(t, noEnv, append([]string{"user", "invite", "api@example.com", "--public-url", url}, d...)...); code != 0 || !strings.Contains(stdout, url+"/invite/") {
		t.Errorf("user invite for a user added through the API: %d %q", code, stdout)
	}
	if stdout, _, code = run(t, noEnv, append([]string{"audit", "list", "--action", "user."}, d...)...); code != 0 || !strings.Contains(stdout, "user.invite") {
		t.Errorf("audit list --action user.: %d %s", code, stdout)
	}
	stdout, stderr, code = run(t, noEnv, append([]string{"user", "seed", "--count", "1000"}, d...)...)
	if code != 0 || !strings.Contains(stdout, "seeded 1000 users") || strings.Contains(stderr, "\r") {
		t.Fatalf("user seed: %d %q %q", code, stdout, stderr)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, body := get(t, url+"/crm/v8/users/actions/count", tok)
		if body == `{"count":1026}` { // 24 demo users, Ana, Api and 1000 seeded: AllUsers counts deactivated users too
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not see the seeded users: %s", body)
		}
	}
}

// roleID and profileID read the admin's role and profile through the API.
func roleID(t *testing.T, url, tok string) string    { return adminRef(t, url, tok, "role") }
func profileID(t *testing.T, url, tok string) string { return adminRef(t, url, tok, "profile") }
func adminRef(t *testing.T, url, tok, key string) string {
	t.Helper()
	_, body := get(t, url+"/crm/v8/users?type=CurrentUser", tok)
	var r struct {
		Users []map[string]struct{ ID string }
	}
	_ = json.Unmarshal([]byte(body), &r)
	if len(r.Users) != 1 {
		t.Fatalf("current user: %s", body)
	}
	return r.Users[0][key].ID
}

// TestProfileCommands: clone, show, set and delete through the CLI, seen by
// the running server.
func TestProfileCommands(t *testing.T) {
	dir := t.TempDir()
	url, out := serve(t, dir, "--demo")
	tok := regexp.MustCompile(`Zoho-oauthtoken (1000\.[0-9a-f.]+)`).FindStringSubmatch(out.String())[1]
	d := []string{"--data-dir", dir}
	must := mustRun(t, d)
	must("created profile Integrations", "profile", "clone", "Standard", "--name", "Integrations", "--description", "API users")
	must("Zoho CRM API Access OFF", "profile", "show", "Integrations")
	must("Zoho CRM API Access: ON", "profile", "set", "Integrations", "--api-access", "on")
	stdout := must(`"enabled": true`, "profile", "show", "Integrations", "--json")
	if !strings.Contains(stdout, `"name": "Crm_Implied_Api_Access"`) {
		t.Errorf("show --json: %s", stdout)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"profile", "clone", "Standard", "--name", "integrations"}, d...)...); code != 1 || !strings.Contains(stderr, "DUPLICATE_DATA") {
		t.Errorf("duplicate clone: %d %q", code, stderr)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"profile", "delete", "Standard", "--transfer-to", "Sales"}, d...)...); code != 1 || !strings.Contains(stderr, "cannot be deleted") {
		t.Errorf("delete Standard: %d %q", code, stderr)
	}
	must("deleted profile Integrations; its users now have Standard", "profile", "delete", "Integrations", "--transfer-to", "Standard")
	waitStatus(t, url+"/crm/v8/settings/profiles", tok, 200)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, body := get(t, url+"/crm/v8/settings/profiles", tok)
		if !strings.Contains(body, "Integrations") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server still lists the deleted profile: %s", body)
		}
	}
}

// TestRoleCommands: the role tree through the CLI.
func TestRoleCommands(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir, "--demo")
	d := []string{"--data-dir", dir}
	must := mustRun(t, d)
	must("added role Product Manager", "role", "add", "Product Manager", "--reports-to", "Manager")
	must("Support Agent now reports to CEO", "role", "move", "Support Agent", "--reports-to", "CEO")
	if _, stderr, code := run(t, noEnv, append([]string{"role", "move", "Manager", "--reports-to", "Product Manager"}, d...)...); code != 1 || !strings.Contains(stderr, "below it") {
		t.Errorf("a cycle: %d %q", code, stderr)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"role", "add", "manager", "--reports-to", "CEO"}, d...)...); code != 1 || !strings.Contains(stderr, "DUPLICATE_DATA") {
		t.Errorf("a duplicate: %d %q", code, stderr)
	}
	must("deleted role Manager", "role", "delete", "Manager", "--transfer-to", "CEO")
	stdout := must("Product Manager", "role", "list")
	if !regexp.MustCompile(`(?m)^\S+\s+CEO\s*$`).MatchString(stdout) || !regexp.MustCompile(`(?m)^\S+\s+  Product Manager\s+CEO$`).MatchString(stdout) {
		t.Errorf("role list after the delete:\n%s", stdout)
	}
}

// TestReportAPIAccess: the CLI report lists the users who can call the API.
func TestReportAPIAccess(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir, "--demo")
	stdout, stderr, code := run(t, noEnv, "report", "api-access", "--json", "--data-dir", dir)
	var r struct {
		Users []struct {
			Email   string
			Profile string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != 0 {
		t.Fatalf("%d %v %q", code, err, stderr)
	}
	if len(r.Users) != 12 {
		t.Errorf("%d users, want 12 (10 Sales, 2 Administrator): %s", len(r.Users), stdout)
	}
	for _, u := range r.Users {
		if u.Profile != "Sales" && u.Profile != "Administrator" {
			t.Errorf("%s on %s has no API access", u.Email, u.Profile)
		}
	}
}

// mustRun returns a runner of commands (with extra appended) that fails the
// test unless a command exits 0 and prints want.
func mustRun(t *testing.T, extra []string) func(want string, args ...string) string {
	return func(want string, args ...string) string {
		t.Helper()
		stdout, stderr, code := run(t, noEnv, append(args, extra...)...)
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("%v: %d %q %q", args, code, stdout, stderr)
		}
		return stdout
	}
}
