package cli

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := Run(context.Background(), args, strings.NewReader(""), &out, &errOut, func(string) string { return "" }); err != nil {
		t.Fatalf("crmguard %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// Both spellings print one line with the release and the toolchain, which
// is what a bug report needs.
func TestVersion(t *testing.T) {
	want := "crmguard " + Version() + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if got := runCLI(t, args...); got != want {
			t.Errorf("crmguard %s = %q, want %q", args[0], got, want)
		}
	}
	if Version() == "" {
		t.Error("Version is empty")
	}
}

// A version given at link time wins over the build information.
func TestVersionFromLinker(t *testing.T) {
	old := version
	t.Cleanup(func() { version = old })
	version = "v9.8.7"
	if got := runCLI(t, "version"); !strings.HasPrefix(got, "crmguard v9.8.7 go") {
		t.Errorf("version = %q", got)
	}
}

// Each shell gets its own script, naming our commands, and the help says
// where to put it.
func TestCompletion(t *testing.T) {
	for shell, mark := range map[string]string{
		"bash":       "__start_crmguard",
		"zsh":        "#compdef crmguard",
		"fish":       "complete -c crmguard",
		"powershell": "Register-ArgumentCompleter",
	} {
		if got := runCLI(t, "completion", shell); !strings.Contains(got, mark) {
			t.Errorf("completion %s lacks %q:\n%.300s", shell, mark, got)
		}
	}
	if help := runCLI(t, "completion", "--help"); !strings.Contains(help, "source <(crmguard completion bash)") {
		t.Errorf("completion help does not say how to load it:\n%s", help)
	}
	// Dynamic completion names the subcommands, serve among them.
	if got := runCLI(t, "__complete", "se"); !strings.Contains(got, "serve") {
		t.Errorf("__complete se = %q", got)
	}
}
