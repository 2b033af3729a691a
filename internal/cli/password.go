package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func userSetPasswordCmd(e *env) *cobra.Command {
	var permanent, asJSON bool
	c := &cobra.Command{
		Use:   "set-password EMAIL",
		Short: "Set a user's password (the way back in for a lost administrator password)",
		Long: `Set a user's password, for instance when the only administrator has lost
theirs. On a terminal it asks for the password twice without showing it;
otherwise it reads the first line of standard input. The user must choose a
new password at their next sign-in unless --permanent is given. A pending
invitation or reset link stops working. The audit log records that the
password was set (user.password), never the password.`,
		Example: `  crmguard user set-password admin@example.com
  printf '%s\n' "$NEW_PASSWORD" | crmguard user set-password ana@example.com --permanent`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				u, err := s.svc.UserByEmail(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				password, err := e.readPassword("New password for " + u.Email)
				if err != nil {
					return err
				}
				if err := s.svc.SetPassword(s.ctx, s.actor, u.ID, password, permanent); err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": u.ID, "email": u.Email, "password_set": true,
						"change_at_next_sign_in": !permanent})
				}
				if permanent {
					fmt.Fprintf(e.stdout, "password set for %s\n", u.Email)
				} else {
					fmt.Fprintf(e.stdout, "password set for %s; they choose a new one at their next sign-in\n", u.Email)
				}
				return nil
			})
		},
	}
	c.Flags().BoolVar(&permanent, "permanent", false, "keep this password: do not ask for a new one at the next sign-in")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

// readPassword asks twice without echo on a terminal, or reads the first
// line of standard input (a pipe, a file) so that scripts need no terminal.
// The password never goes on the command line, where other users of the
// machine and the shell history would see it.
func (e *env) readPassword(prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		read := func(p string) (string, error) {
			fmt.Fprint(e.stderr, p+": ")
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			return string(b), err
		}
		first, err := read(prompt)
		if err != nil {
			return "", err
		}
		again, err := read("Again")
		if err != nil {
			return "", err
		}
		if first != again {
			return "", usagef("the two passwords differ")
		}
		return first, nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("no password on standard input")
	}
	return line, nil
}
