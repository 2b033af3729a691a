package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/cli"
	"github.com/crmguard/crmguard/internal/pgtest"
)

// secret is the password put into the DSNs below: the test server trusts
// local connections and ignores it, so it only shows what the CLI prints.
const secret = "secretpw"

// withPassword is dsn with secret as its password.
func withPassword(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	user := "postgres"
	if u.User != nil && u.User.Username() != "" {
		user = u.User.Username()
	}
	u.User = url.UserPassword(user, secret)
	return u.String()
}

// servePG starts 'crmguard serve' with args and returns its base URL and
// its stdout and stderr, which grow while it runs; it stops when the test
// ends.
func servePG(t *testing.T, getenv func(string) string, args ...string) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	args = append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	go func() { done <- cli.Run(ctx, args, strings.NewReader(""), out, errb, getenv) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil && bannerDone(out.String()) {
			return m[1], out, errb
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve exited: %v\n%s\n%s", err, out.String(), errb.String())
		default:
		}
	}
	t.Fatalf("serve did not start:\n%s\n%s", out.String(), errb.String())
	return "", nil, nil
}

// TestPostgresCommands: init on a PostgreSQL database, then token issue,
// user list and migrate on the same one, by flag and by CRMGUARD_DATABASE;
// nothing is written to --data-dir.
func TestPostgresCommands(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := filepath.Join(t.TempDir(), "unused")
	stdout, stderr, code := run(t, noEnv, "init", "--database", dsn, "--data-dir", dir, "--json")
	if code != 0 {
		t.Fatalf("init --database: exit %d %s %s", code, stdout, stderr)
	}
	var made map[string]any
	if err := json.Unmarshal([]byte(stdout), &made); err != nil || made["created"] != true {
		t.Fatalf("init --json: %v %s", err, stdout)
	}
	if stdout, stderr, code = run(t, noEnv, "init", "--database", dsn, "--if-missing"); code != 0 || !strings.Contains(stdout, "already; nothing to do") {
		t.Fatalf("init --if-missing on the same database: exit %d %s %s", code, stdout, stderr)
	}
	stdout, stderr, code = run(t, noEnv, "token", "issue", "--database", dsn, "--scopes", "ZohoCRM.users.READ", "--json")
	if code != 0 || !strings.Contains(stdout, `"access_token"`) {
		t.Fatalf("token issue --database: exit %d %s %s", code, stdout, stderr)
	}
	env := func(k string) string {
		if k == "CRMGUARD_DATABASE" {
			return dsn
		}
		return ""
	}
	stdout, stderr, code = run(t, env, "user", "list", "--json")
	if code != 0 {
		t.Fatalf("user list with CRMGUARD_DATABASE: exit %d %s", code, stderr)
	}
	var users struct {
		Users []struct{ Email string } `json:"users"`
	}
	if err := json.Unmarshal([]byte(stdout), &users); err != nil {
		t.Fatalf("user list --json: %v\n%s", err, stdout)
	}
	if len(users.Users) != 1 || users.Users[0].Email != "admin@example.com" {
		t.Fatalf("user list on the database init made: %s", stdout)
	}
	if stdout, stderr, code = run(t, env, "migrate"); code != 0 || !strings.Contains(stdout, "is up to date") || !strings.Contains(stdout, "postgres://") {
		t.Fatalf("migrate with CRMGUARD_DATABASE: exit %d %q %q", code, stdout, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("--data-dir was created with --database a PostgreSQL URL: %v", err)
	}

	// An empty database (a schema of its own) has no org: the message says
	// so rather than "no database".
	empty := pgtest.DSN(t)
	if _, stderr, code = run(t, noEnv, "user", "list", "--database", empty); code != 1 || !strings.Contains(stderr, "has no org yet") {
		t.Fatalf("user list on an empty PostgreSQL database: exit %d %s", code, stderr)
	}

	// seed check runs against the database's org, or a new one in memory
	// when it has none (and leaves it without one).
	if stdout, stderr, code = run(t, env, "seed", "check", exampleSeed); code != 0 || !strings.Contains(stdout, "is good against the org in postgres://") {
		t.Fatalf("seed check on the database: exit %d %s %s", code, stdout, stderr)
	}
	if stdout, stderr, code = run(t, noEnv, "seed", "check", exampleSeed, "--database", empty); code != 0 || !strings.Contains(stdout, "is good against a new org") {
		t.Fatalf("seed check on an empty database: exit %d %s %s", code, stdout, stderr)
	}
	if _, stderr, code = run(t, noEnv, "user", "list", "--database", empty); code != 1 || !strings.Contains(stderr, "has no org yet") {
		t.Fatalf("seed check gave the empty database an org: exit %d %s", code, stderr)
	}
}

// TestPostgresServeInstances: two servers on one PostgreSQL database both
// answer with a token either one, or the CLI, issued; the first start's
// banner token works on the second instance.
func TestPostgresServeInstances(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, outA, _ := servePG(t, noEnv, "--database", dsn, "--max-conns", "4")
	tok := regexp.MustCompile(`access_token:\s+(\S+)`).FindStringSubmatch(outA.String())
	if tok == nil {
		t.Fatalf("first start on an empty database printed no token:\n%s", outA.String())
	}
	b, outB, _ := servePG(t, noEnv, "--database", dsn)
	if strings.Contains(outB.String(), "Created org") {
		t.Fatalf("the second instance made an org of its own:\n%s", outB.String())
	}
	for _, base := range []string{a, b} {
		if code, body := get(t, base+"/crm/v8/users", tok[1]); code != 200 || !strings.Contains(body, "admin@example.com") {
			t.Fatalf("GET %s/crm/v8/users with the banner's token: %d %s", base, code, body)
		}
	}
	stdout, stderr, code := run(t, noEnv, "token", "issue", "--database", dsn, "--scopes", "ZohoCRM.users.READ", "--json")
	if code != 0 {
		t.Fatalf("token issue: exit %d %s", code, stderr)
	}
	var issued map[string]any
	_ = json.Unmarshal([]byte(stdout), &issued)
	at, _ := issued["access_token"].(string)
	for _, base := range []string{a, b} {
		if code, body := get(t, base+"/crm/v8/users", at); code != 200 {
			t.Fatalf("GET %s/crm/v8/users with a CLI token: %d %s", base, code, body)
		}
	}
	// A revocation from the CLI reaches both instances.
	if _, stderr, code = run(t, noEnv, "token", "revoke", "--database", dsn, at); code != 0 {
		t.Fatalf("token revoke: %s", stderr)
	}
	waitStatus(t, a+"/crm/v8/users", at, 401)
	waitStatus(t, b+"/crm/v8/users", at, 401)
}

// TestPostgresPasswordNeverPrinted runs the commands on a DSN with a
// password: none of their output has it, and the commands a banner prints
// reach the database through CRMGUARD_DATABASE.
func TestPostgresPasswordNeverPrinted(t *testing.T) {
	dsn := withPassword(t, pgtest.DSN(t))
	var all bytes.Buffer
	step := func(getenv func(string) string, want int, args ...string) string {
		t.Helper()
		stdout, stderr, code := run(t, getenv, args...)
		all.WriteString(stdout + stderr)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, stdout, stderr)
		}
		return stdout
	}
	out := step(noEnv, 0, "init", "--database", dsn)
	if !strings.Contains(out, `token issue --database "$CRMGUARD_DATABASE"`) || !strings.Contains(out, "CRMGUARD_DATABASE") {
		t.Errorf("init's next steps do not reach the database through CRMGUARD_DATABASE:\n%s", out)
	}
	step(noEnv, 1, "init", "--database", dsn)
	step(noEnv, 0, "token", "issue", "--database", dsn, "--scopes", "ZohoCRM.users.READ")
	step(noEnv, 0, "user", "list", "--database", dsn)
	env := func(k string) string {
		if k == "CRMGUARD_DATABASE" {
			return dsn
		}
		return ""
	}
	step(env, 0, "migrate")
	step(env, 0, "migrate", "--json")
	step(env, 0, "seed", "check", exampleSeed)
	step(env, 2, "serve", "--emulator")
	step(env, 2, "serve", "--in-memory")
	step(env, 1, "user", "show", "nobody@example.com")

	_, stdoutS, stderrS := servePG(t, env, "--log-level", "debug")
	banner := stdoutS.String()
	if !strings.Contains(banner, `token issue --database "$CRMGUARD_DATABASE"`) {
		t.Errorf("the banner's command does not reach the database through CRMGUARD_DATABASE:\n%s", banner)
	}
	all.WriteString(banner + stderrS.String())
	if strings.Contains(all.String(), secret) {
		t.Fatalf("the password was printed:\n%s", all.String())
	}
	if !strings.Contains(all.String(), "postgres://") {
		t.Errorf("no output names the database:\n%s", all.String())
	}
}

// TestDatabaseUsageErrors: what --database cannot go with is refused
// before anything is opened (exit 2), with a message that never shows a
// password; an unreachable server's error does not either.
func TestDatabaseUsageErrors(t *testing.T) {
	dir := t.TempDir()
	pg := "postgres://postgres:" + secret + "@127.0.0.1:1/none?sslmode=disable"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--in-memory", "--database", filepath.Join(dir, "x.db")}, "--in-memory and --database"},
		{[]string{"serve", "--in-memory", "--database", pg}, "--in-memory and --database"},
		{[]string{"serve", "--emulator", "--database", pg}, "--emulator needs a SQLite database"},
		{[]string{"serve", "--emulator-key", "k", "--database", pg}, "--emulator needs a SQLite database"},
		{[]string{"serve", "--import", filepath.Join(dir, "none.json"), "--database", pg}, "--import needs a SQLite database"},
		{[]string{"serve", "--export-on-exit", filepath.Join(dir, "x.json"), "--database", pg}, "--export-on-exit needs a SQLite database"},
		{[]string{"serve", "--max-conns", "0", "--database", pg}, "--max-conns must be positive"},
		{[]string{"token", "issue", "--database", ""}, "--database is empty"},
		{[]string{"init", "--database", "host=127.0.0.1 password=" + secret + " dbname=crm"}, "key=value PostgreSQL connection string"},
		{[]string{"user", "list", "--database", "dbname=crm user=postgres"}, "key=value PostgreSQL connection string"},
	} {
		_, stderr, code := run(t, noEnv, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, secret) {
			t.Errorf("%v: exit %d, want 2 and %q:\n%s", c.args, code, c.want, stderr)
		}
	}
	_, stderr, code := run(t, noEnv, "user", "list", "--database", pg)
	if code != 1 || strings.Contains(stderr, secret) || !strings.Contains(stderr, "PostgreSQL") {
		t.Errorf("user list on an unreachable PostgreSQL: exit %d\n%s", code, stderr)
	}
}

// TestDatabaseSQLiteFile: --database a file path puts the SQLite database
// there (not in --data-dir), and the printed commands name it.
func TestDatabaseSQLiteFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "db", "my.db")
	dataDir := filepath.Join(dir, "data")
	if _, stderr, code := run(t, noEnv, "user", "list", "--database", file); code != 1 || !strings.Contains(stderr, "no database at "+file) {
		t.Fatalf("user list before init: exit %d %s", code, stderr)
	}
	stdout, stderr, code := run(t, noEnv, "init", "--database", file, "--data-dir", dataDir)
	if code != 0 || !strings.Contains(stdout, "token issue --database "+file) || !strings.Contains(stdout, "in "+file) {
		t.Fatalf("init --database FILE: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the database file: %v", err)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("--data-dir was created with --database a file: %v", err)
	}
	if stdout, stderr, code = run(t, noEnv, "token", "issue", "--database", file, "--scopes", "ZohoCRM.org.READ", "--json"); code != 0 || !strings.Contains(stdout, "access_token") {
		t.Fatalf("token issue --database FILE: exit %d %s", code, stderr)
	}
	if stdout, _, code = run(t, noEnv, "migrate", "--database", file, "--json"); code != 0 || !strings.Contains(stdout, `"database": "`+file+`"`) {
		t.Fatalf("migrate --database FILE --json: exit %d %s", code, stdout)
	}
	base, out := serve(t, t.TempDir(), "--database", file)
	if !strings.Contains(out.String(), "(data in "+file+")") || !strings.Contains(out.String(), "token issue --database "+file) {
		t.Errorf("banner on --database FILE:\n%s", out.String())
	}
	var issued map[string]any
	stdout, _, _ = run(t, noEnv, "token", "issue", "--database", file, "--scopes", "ZohoCRM.org.READ", "--json")
	_ = json.Unmarshal([]byte(stdout), &issued)
	if code, body := get(t, base+"/crm/v8/org", issued["access_token"].(string)); code != 200 {
		t.Fatalf("GET /org on the server of --database FILE: %d %s", code, body)
	}
}

// TestDatabaseHelp: the root's and serve's help name the flag and its
// variable.
func TestDatabaseHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"user", "list", "--help"}} {
		stdout, _, code := run(t, noEnv, args...)
		if code != 0 || !strings.Contains(stdout, "--database") {
			t.Errorf("%v lacks --database:\n%s", args, stdout)
		}
		if args[0] != "user" && !strings.Contains(stdout, "CRMGUARD_DATABASE") {
			t.Errorf("%v lacks CRMGUARD_DATABASE:\n%s", args, stdout)
		}
	}
}
