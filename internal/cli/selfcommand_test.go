package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSelfCommand: printed commands name the binary as it was started.
func TestSelfCommand(t *testing.T) {
	cwd, err := os.Getwd() // internal/cli in the module
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(filepath.Dir(cwd))
	for _, c := range []struct{ arg0, cwd, want string }{
		{"/tmp/go-build123/b001/exe/crmguard", root, "go run ./cmd/crmguard"},
		{"/root/.cache/go-build/ab/abcdef-d/crmguard", root, "go run ./cmd/crmguard"},
		{"/tmp/go-build123/b001/exe/crmguard", cwd, "go run ../../cmd/crmguard"},
		{"/tmp/go-build123/b001/exe/crmguard", filepath.Join(root, "cmd", "crmguard"), "go run ."},
		{"/tmp/go-build123/b001/exe/crmguard", "/", "go run github.com/crmguard/crmguard/cmd/crmguard@latest"},
		{"crmguard", root, "crmguard"},
		{"./crmguard", root, "./crmguard"},
		{"/usr/local/bin/crmguard", root, "/usr/local/bin/crmguard"},
		{"/opt/my tools/crmguard", root, "'/opt/my tools/crmguard'"},
	} {
		if got := selfCommand(c.arg0, c.cwd); got != c.want {
			t.Errorf("selfCommand(%q, %q) = %q, want %q", c.arg0, c.cwd, got, c.want)
		}
	}
}
