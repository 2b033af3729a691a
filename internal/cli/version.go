package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is the release, set at link time:
//
//	go build -ldflags "-X github.com/crmguard/crmguard/internal/cli.version=v1.2.3" ./cmd/crmguard
//
// Empty, it is read from the build information: the module version for
// `go install ...@v1.2.3`, else the VCS revision the binary was built from.
var version string

// Version is this binary's version, e.g. "v1.2.3" or "devel 4795d84 (modified)".
func Version() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "devel"
	}
	return "devel " + rev + modified
}

// versionLine is what `crmguard version` and `crmguard --version` print.
func versionLine() string {
	return fmt.Sprintf("crmguard %s %s %s/%s\n", Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func versionCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "version",
		Short: "Print crmguard's version and the Go version it was built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"version": Version(), "go": runtime.Version(),
					"os": runtime.GOOS, "arch": runtime.GOARCH})
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionLine())
			return err
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

// completionHelp is the completion command's long help: cobra generates
// the scripts; this says where each shell wants them.
const completionHelp = `Print a shell completion script for crmguard's commands and flags.

  bash:        source <(crmguard completion bash)
               (or save it to /etc/bash_completion.d/crmguard; needs bash-completion)
  zsh:         crmguard completion zsh > "${fpath[1]}/_crmguard"
               (needs "autoload -U compinit; compinit" in ~/.zshrc)
  fish:        crmguard completion fish > ~/.config/fish/completions/crmguard.fish
  powershell:  crmguard completion powershell | Out-String | Invoke-Expression`
