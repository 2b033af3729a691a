package cli_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestServeDeterministic: two in-memory serves with --deterministic print
// the same banner (the org, the admin's one-time password, the Self
// Client's secret, the demo's tokens) but for the address; another seed
// prints other values.
func TestServeDeterministic(t *testing.T) {
	banner := func(args ...string) string {
		t.Helper()
		url, out, stop := serveStoppable(t, append([]string{"--in-memory", "--demo"}, args...)...)
		stop()
		return strings.ReplaceAll(out.String(), strings.TrimPrefix(url, "http://"), "ADDR")
	}
	a, b := banner("--deterministic"), banner("--deterministic")
	if a != b {
		t.Fatalf("two deterministic runs differ:\n%s\n----\n%s", a, b)
	}
	tok := regexp.MustCompile(`access_token:\s+(\S+)`).FindStringSubmatch(a)
	if tok == nil {
		t.Fatalf("no token in the banner:\n%s", a)
	}
	if c := banner("--seed-value", "7"); strings.Contains(c, tok[1]) {
		t.Error("another seed printed the same token")
	}
	if c := banner(); strings.Contains(c, tok[1]) {
		t.Error("a run without a seed printed the seeded token")
	}
}
