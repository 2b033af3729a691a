package crmguardtest_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFromAnotherModule runs the tests of testdata/external, a module of
// its own that imports crmguardtest by its module path and drives the
// server with golang.org/x/oauth2, as a user's module would after `go get`.
// It catches what a test inside this module cannot: an exported API that
// names an internal type, or a helper that only works from inside.
//
// The module is copied to a temporary directory with its replace directive
// pointed at this checkout, so the run writes nothing into the repository
// (go.sum may need lines when dependencies change: -mod=mod adds them to
// the copy, downloading through the module proxy).
func TestFromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs another module's tests; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the external module")
	}
	root, err := filepath.Abs(filepath.Join("..")) // the module root
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "external"))); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	run("mod", "edit", "-replace=github.com/crmguard/crmguard="+root)
	out := run("test", "-count=1", "-v", "./...")
	// The run must have run the test, not found nothing to do.
	if !strings.Contains(out, "--- PASS: TestSelfClientExchangeAndRefresh") {
		t.Fatalf("the external test did not run:\n%s", out)
	}
	t.Log(out)
}
