package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

type initFlags struct {
	opt               service.BootstrapOptions
	ifMissing, asJSON bool
}

func initCmd(e *env) *cobra.Command {
	var f initFlags
	c := &cobra.Command{
		Use:   "init",
		Short: "Create the database, the org, its admin and a Self Client, without a server",
		Long: `Create the database (crmguard.db in --data-dir, or what --database names)
and the org that 'serve' would make on its first start (the Administrator and
Standard profiles, the CEO and Manager roles, an admin user and a Self
Client), then exit: for CI and scripts, which then run 'token issue' or
'serve'. The Self Client's secret is shown only now.

The admin's password comes from --admin-password (or CRMGUARD_ADMIN_PASSWORD),
else from the first line of standard input when it is not a terminal; it is
kept (no change is asked at first sign-in). With none, a one-time password is
generated and printed. A database that has an org already is an error
(exit 1), or nothing to do with --if-missing.`,
		Example: `  crmguard init --data-dir ./ci-data --json
  CRMGUARD_ADMIN_PASSWORD=s3cret-for-ci crmguard init --admin-email ci@example.com
  printf '%s\n' "$ADMIN_PASSWORD" | crmguard init --if-missing
  crmguard init --database 'postgres://crmguard@db.internal:5432/crmguard' --if-missing`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.init(&f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.opt.AdminEmail, "admin-email", "admin@example.com", "the admin's e-mail")
	fl.StringVar(&f.opt.AdminPassword, "admin-password", "", "the admin's password (at least 8 characters); default: standard input when it is not a terminal, else a generated one-time password")
	fl.StringVar(&f.opt.CompanyName, "company", "crmguard", "the org's company name")
	fl.StringVar(&f.opt.TimeZone, "time-zone", "UTC", "the org's IANA time zone")
	fl.StringVar(&f.opt.Edition, "edition", crmguard.EditionEnterprise, "edition (free, standard, professional, enterprise, ultimate), which sets API limits")
	fl.IntVar(&f.opt.LicenseUsers, "license-users", 100, "user licences purchased")
	fl.BoolVar(&f.ifMissing, "if-missing", false, "succeed without a change when the database has an org already")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object")
	return c
}

func (e *env) init(f *initFlags) error {
	if !access.ValidEdition(f.opt.Edition) {
		return usagef("--edition %q: want free, standard, professional, enterprise or ultimate", f.opt.Edition)
	}
	if f.opt.LicenseUsers <= 0 {
		return usagef("--license-users must be positive")
	}
	st, err := e.openStore(true)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := service.New(st, service.Config{}, nil)
	if org, err := svc.DefaultOrg(e.ctx); err == nil {
		if f.ifMissing {
			if f.asJSON {
				return printJSON(e.stdout, map[string]any{"created": false, "org_id": org.ID, "company_name": org.CompanyName})
			}
			fmt.Fprintf(e.stdout, "%s has org %q (%s) already; nothing to do\n", e.dbName(), org.CompanyName, org.ID)
			return nil
		}
		another := "--data-dir"
		if e.database != "" {
			another = "--database"
		}
		return fmt.Errorf("%s has org %q (%s) already: nothing was changed; pass --if-missing to accept that, or another %s for a new org", e.dbName(), org.CompanyName, org.ID, another)
	} else if !errors.Is(err, crmguard.ErrNotFound) {
		return err
	}
	if f.opt.AdminPassword == "" {
		if f.opt.AdminPassword, err = e.stdinPassword(); err != nil {
			return err
		}
	}
	boot, err := svc.EnsureOrg(e.ctx, f.opt)
	if err != nil {
		return err
	}
	if boot == nil { // another process made the org in between
		return fmt.Errorf("%s got an org from another process meanwhile: nothing was changed", e.dbName())
	}
	if f.asJSON {
		out := map[string]any{"created": true, "org_id": boot.Org.ID, "company_name": boot.Org.CompanyName,
			"admin_email": boot.Admin.Email, "client_id": boot.SelfClient.ClientID, "client_secret": boot.ClientSecret}
		if boot.AdminPassword != "" {
			out["admin_password"] = boot.AdminPassword
		}
		return printJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "Created org %q (%s) in %s.\n", boot.Org.CompanyName, boot.Org.ID, e.dbName())
	if boot.AdminPassword != "" {
		fmt.Fprintf(e.stdout, "  admin:         %s\n  password:      %s   (one-time: change it at first sign-in)\n", boot.Admin.Email, boot.AdminPassword)
	} else {
		fmt.Fprintf(e.stdout, "  admin:         %s (with the password given)\n", boot.Admin.Email)
	}
	fmt.Fprintf(e.stdout, "  Self Client:   client_id %s\n                 client_secret %s   (shown only now)\n", boot.SelfClient.ClientID, boot.ClientSecret)
	self := e.selfCommand()
	fmt.Fprintf(e.stdout, "Next:\n  %s token issue%s --scopes %s\n  %s serve%s\n%s", self, e.dbFlag(), firstScopes, self, e.dbFlag(), e.dbNote())
	return nil
}

// stdinPassword reads the first line of standard input when it is not a
// terminal (a pipe, a file); "" when it is one, or when the input is empty,
// so that the org gets a generated one-time password. It never prompts: a
// headless set-up must not wait for a person.
func (e *env) stdinPassword() (string, error) {
	if e.stdin == nil {
		return "", nil
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "", nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
