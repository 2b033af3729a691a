package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/seedfile"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/spf13/cobra"
)

func seedCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "seed",
		Short: "Apply or check a seed file (a declarative YAML or JSON org)",
		Long: `A seed file declares an org: profiles cloned from a built-in with permissions
by name, the role tree, custom user fields, users with status, confirmation and
password, OAuth clients with fixed ids and secrets, and tokens derived from a seed
string. See docs/seed-example.yaml.

Entries are created, or changed to match when they exist, in one transaction: a
bad file is refused with the line and the reason and changes nothing.

A running server picks up what 'seed apply' wrote within its --poll-interval. To
seed a server over HTTP, use 'crmguard emulator seed'; at start, 'serve --seed'.`,
	}
	c.AddCommand(seedApplyCmd(e), seedCheckCmd(e))
	return c
}

func readSeed(path string, stdin io.Reader) (*seedfile.Document, error) {
	data, err := readFileArg(path, stdin, seedfile.MaxSize)
	if err != nil {
		return nil, usagef("seed file: %v", err)
	}
	doc, err := seedfile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s:\n%w", path, err)
	}
	return doc, nil
}

func seedApplyCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "apply FILE",
		Short:   "Apply a seed file (or - for standard input) to the database's org",
		Example: "  crmguard seed apply docs/seed-example.yaml --data-dir ./crmguard-data",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := readSeed(args[0], e.stdin)
			if err != nil {
				return err
			}
			return e.with(service.Config{}, func(s *session) error {
				res, err := s.svc.ApplySeed(s.ctx, s.actor, doc, service.SeedOptions{})
				if err != nil {
					return fmt.Errorf("%s:\n%w", args[0], err)
				}
				if asJSON {
					return printJSON(e.stdout, res)
				}
				printSeeded(e.stdout, args[0], res)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

func seedCheckCmd(e *env) *cobra.Command {
	var fresh, asJSON bool
	c := &cobra.Command{
		Use:   "check FILE",
		Short: "Check a seed file without changing anything",
		Long: `Check a seed file: its syntax, keys and values, and every reference. With a
database (in --data-dir, or --database) that has an org, the file is applied to
that org in a transaction that is rolled back, so every error a real apply would
meet is found; without one (or with --fresh) it is checked the same way against
a new, empty org in memory.`,
		Example: "  crmguard seed check docs/seed-example.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := readSeed(args[0], e.stdin)
			if err != nil {
				return err
			}
			st, against, err := e.seedCheckStore(fresh)
			if err != nil {
				return err
			}
			defer st.Close()
			// bcrypt at its lowest cost: the hashes of a check are thrown away.
			svc := service.New(st, service.Config{PasswordCost: 4}, nil)
			if _, err := svc.EnsureOrg(e.ctx, service.BootstrapOptions{}); err != nil {
				return err
			}
			org, err := svc.DefaultOrg(e.ctx)
			if err != nil {
				return err
			}
			a := crmguard.Actor{OrgID: org.ID, UserID: org.PrimaryUserID, Source: crmguard.SourceCLI}
			res, err := svc.ApplySeed(e.ctx, a, doc, service.SeedOptions{DryRun: true})
			if err != nil {
				return fmt.Errorf("%s:\n%w", args[0], err)
			}
			if asJSON {
				// The counts only: a check prints no token value as text either.
				return printJSON(e.stdout, map[string]any{"file": args[0], "against": against, "valid": true,
					"fields": res.Fields, "profiles": res.Profiles, "roles": res.Roles, "users": res.Users,
					"clients": res.Clients, "tokens": len(res.Tokens), "license_users_raised": res.LicenseUsers})
			}
			fmt.Fprintf(e.stdout, "%s is good against %s: %s\n", args[0], against, seedSummary(res))
			return nil
		},
	}
	c.Flags().BoolVar(&fresh, "fresh", false, "check against a new, empty org even when the database has one")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON (counts, never token values)")
	return c
}

// seedSummary counts what an apply made and changed, section by section.
func seedSummary(res *service.SeedResult) string {
	var parts []string
	for _, s := range []struct {
		name string
		c    service.SeedCount
	}{{"fields", res.Fields}, {"profiles", res.Profiles}, {"roles", res.Roles}, {"users", res.Users}, {"clients", res.Clients}} {
		if s.c.Created+s.c.Updated > 0 {
			parts = append(parts, fmt.Sprintf("%s %d new, %d existing", s.name, s.c.Created, s.c.Updated))
		}
	}
	if len(res.Tokens) > 0 {
		parts = append(parts, fmt.Sprintf("%d tokens", len(res.Tokens)))
	}
	if len(parts) == 0 {
		return "nothing to do"
	}
	return strings.Join(parts, "; ")
}

// printSeeded reports an apply, with the seeded tokens' values: this is
// the one place they are shown (the audit log never holds them).
func printSeeded(w io.Writer, file string, res *service.SeedResult) {
	fmt.Fprintf(w, "\nSeed file %s applied: %s.\n", file, seedSummary(res))
	if res.LicenseUsers > 0 {
		fmt.Fprintf(w, "  licences raised to %d to fit the active users\n", res.LicenseUsers)
	}
	if len(res.Tokens) == 0 {
		return
	}
	rows := make([][]string, 0, len(res.Tokens))
	for _, t := range res.Tokens {
		exp := "never"
		if t.ExpiresAt != nil {
			exp = t.ExpiresAt.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []string{t.Seed, t.Kind, t.Token, t.ClientID, exp})
	}
	printTable(w, []string{"SEED", "KIND", "TOKEN", "CLIENT", "EXPIRES"}, rows)
}

// readFileArg reads the FILE argument of a command, or standard input for
// "-": at most max+1 bytes, enough for the parser or the server to refuse a
// file over its limit of max without this reading all of it.
func readFileArg(path string, stdin io.Reader, max int64) ([]byte, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return io.ReadAll(io.LimitReader(r, max+1))
}

// seedCheckStore is the store a seed check runs against: the database's,
// when it exists, has an org and fresh is not asked, else a new one in
// memory. A database with no org (made by migrate, say) is not given one
// by a check: the check changes nothing.
func (e *env) seedCheckStore(fresh bool) (st *sqlstore.Store, against string, err error) {
	exists := e.postgres()
	if !exists {
		_, statErr := os.Stat(e.dbPath())
		exists = statErr == nil
	}
	if !fresh && exists {
		if st, err = e.openStore(false); err != nil {
			return nil, "", err
		}
		if _, err = service.New(st, service.Config{}, nil).DefaultOrg(e.ctx); err == nil {
			return st, "the org in " + e.dbName(), nil
		}
		st.Close()
		if !errors.Is(err, crmguard.ErrNotFound) {
			return nil, "", err
		}
	}
	st, err = sqlstore.OpenMemory(e.ctx)
	return st, "a new org", err
}
