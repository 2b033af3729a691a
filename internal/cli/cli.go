package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes scripts can rely on.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed
	ExitUsage = 2 // bad flags, arguments or configuration
)

// usageError marks an error in how the command was called.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// ExitCode maps Run's error to the process exit code.
func ExitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &u):
		return ExitUsage
	}
	return ExitError
}

// env is how commands read the environment.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	dataDir string
	// database is --database: a postgres:// URL, a SQLite file, or ""
	// for crmguard.db in dataDir (see dbPath).
	database string

	// fromEnv maps each flag set from the environment to its variable,
	// so that an error about the flag can name what the user set.
	fromEnv map[string]string
	// args are the positional arguments of the command being run.
	args []string
}

// Run runs the crmguard command line with args (without the program name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := &cobra.Command{
		Use:   "crmguard",
		Short: "A Zoho CRM-compatible Users, Profiles, Roles, Org and OAuth server",
		Long: `crmguard speaks Zoho CRM's Users, Profiles, Roles and Org APIs and Zoho Accounts'
OAuth 2.0, and enforces the profile-level "Zoho CRM API Access" permission on
every call.

Every flag can also be set with an environment variable: CRMGUARD_ and the
flag's name in capitals with dashes as underscores (--data-dir is
CRMGUARD_DATA_DIR). A flag given on the command line wins.

The data lives in a SQLite file, crmguard.db in --data-dir, unless
--database (CRMGUARD_DATABASE) names another: a postgres:// URL for
PostgreSQL, which any number of 'serve' instances and the commands share,
or a SQLite file's path. Every command takes it, e.g.
  CRMGUARD_DATABASE='postgres://crmguard:PASSWORD@db.internal:5432/crmguard' crmguard serve`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version(),
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			e.args = args
			if err := e.bindEnv(cmd, getenv); err != nil {
				return err
			}
			return e.checkDatabase(cmd)
		},
	}
	root.SetVersionTemplate(versionLine())
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetContext(ctx)
	root.PersistentFlags().StringVar(&e.dataDir, "data-dir", "./crmguard-data", "directory of the SQLite database, "+dbFile+" (unused with --database)")
	root.PersistentFlags().StringVar(&e.database, "database", "", databaseHelp)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(serveCmd(e), initCmd(e), migrateCmd(e), clientCmd(e), tokenCmd(e), ipruleCmd(e), profileCmd(e), userCmd(e), fieldCmd(e), auditCmd(e), roleCmd(e), groupCmd(e), territoryCmd(e), reportCmd(e), emulatorCmd(e), seedCmd(e), versionCmd())
	// Cobra's completion command (bash, zsh, fish, powershell), made here
	// rather than on first Execute so its help can say where scripts go.
	root.InitDefaultCompletionCmd()
	// Cobra suggests the nearest command for a typo only at the root;
	// command groups (user, profile, ...) get the same.
	var groups func(c *cobra.Command)
	groups = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.HasSubCommands() {
				sub.Args = subcommandArgs
				sub.SuggestionsMinimumDistance = 2
				groups(sub)
			}
		}
	}
	groups(root)
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.Long = completionHelp
	}
	cmd, err := root.ExecuteC()
	if err != nil {
		if strings.HasPrefix(err.Error(), "unknown command") || strings.HasPrefix(err.Error(), "accepts ") ||
			strings.HasPrefix(err.Error(), "required flag") {
			err = usageError{err}
		}
		fmt.Fprintf(stderr, "%s: %s\n", cmd.CommandPath(), e.describe(cmd, e.args, err))
		if ExitCode(err) == ExitUsage {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	}
	return err
}

// bindEnv sets every flag not given on the command line from its
// CRMGUARD_* variable, with a clear message for a bad value.
func (e *env) bindEnv(cmd *cobra.Command, getenv func(string) string) error {
	var err error
	visit := func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "help" {
			return
		}
		name := "CRMGUARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v := getenv(name)
		if v == "" {
			return
		}
		if serr := f.Value.Set(v); serr != nil {
			err = usagef("invalid value %q in %s (--%s): %v", v, name, f.Name, serr)
			return
		}
		if e.fromEnv == nil {
			e.fromEnv = map[string]string{}
		}
		e.fromEnv[f.Name] = name
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	return err
}
