package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedProgressOnlyOnTerminal: written to something that is not a
// terminal (a buffer here, a CI log or a pipe in use), 'user seed' leaves
// no \r redraws, only its result line.
func TestSeedProgressOnlyOnTerminal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	serve(t, dir)
	stdout, stderr, code := run(t, noEnv, "user", "seed", "--data-dir", dir, "--count", "30")
	if code != 0 {
		t.Fatalf("user seed: exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "\r") || strings.Contains(stderr, "seeding users") {
		t.Errorf("progress written to a non-terminal: %q", stderr)
	}
	if !strings.Contains(stdout, "seeded 30 users in ") {
		t.Errorf("no result line: %q", stdout)
	}
}
