package service_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestOneAuditActionPerChange: no noun is recorded both as NOUN.add and as
// NOUN.create anywhere in the service, so a filter by action finds every
// such change under one name.
func TestOneAuditActionPerChange(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`audit\(ctx, [a-z.]+, [a-z.]+, "([a-z_]+)\.([a-z_]+)"`)
	verbs := map[string]map[string]string{}
	for _, f := range files {
		if filepath.Ext(f) != ".go" || regexp.MustCompile(`_test\.go$`).MatchString(f) {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			if verbs[m[1]] == nil {
				verbs[m[1]] = map[string]string{}
			}
			verbs[m[1]][m[2]] = f
		}
	}
	if len(verbs["user"]) == 0 {
		t.Fatal("found no audit actions: the pattern no longer matches the code")
	}
	for noun, vs := range verbs {
		if vs["add"] != "" && vs["create"] != "" {
			t.Errorf("%s.add (%s) and %s.create (%s) name one change", noun, vs["add"], noun, vs["create"])
		}
	}
}

// TestDemoAuditsAsTheAPIDoes: the demo's users and roles are in the log as
// user.add and role.add, the names the API, console and CLI write.
func TestDemoAuditsAsTheAPIDoes(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	if _, err := env.Svc.SeedDemo(ctx, env.Org.ID, true); err != nil {
		t.Fatal(err)
	}
	count := func(action string) int {
		evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Action: action, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	if n := count("user.add"); n != 23 {
		t.Errorf("user.add events: %d, want the demo's 23 users", n)
	}
	if n := count("role.add"); n != 2 {
		t.Errorf("role.add events: %d, want the demo's 2 roles", n)
	}
	if n := count("user.create") + count("role.create"); n != 0 {
		t.Errorf("%d events under the old names", n)
	}
}
