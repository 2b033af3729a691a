package cli

import (
	"fmt"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func userCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "user", Short: "List, add and invite users, set a password; seed many for load tests",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(userListCmd(e), userAddCmd(e), userInviteCmd(e), userSetPasswordCmd(e), userSeedCmd(e))
	c.AddCommand(userManageCmds(e)...)
	return c
}

func userListCmd(e *env) *cobra.Command {
	var typ string
	var limit, page int
	c := listCmd(e, "List users of a type (AllUsers by default), a page at a time", func(s *session) (*listing, error) {
		t, ok := service.UserType(typ)
		if !ok {
			return nil, usagef("--type %q: want one of %v", typ, service.UserTypes)
		}
		if limit < 1 || page < 1 {
			return nil, usagef("--limit %d and --page %d: both must be at least 1", limit, page)
		}
		profiles, err := s.svc.ListProfiles(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		pname := map[crmguard.ID]string{}
		for _, p := range profiles {
			pname[p.ID] = p.Name
		}
		roles, err := s.svc.ListRoles(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		rname := map[crmguard.ID]string{}
		for _, r := range roles {
			rname[r.ID] = r.Name
		}
		l := &listing{key: "users", header: []string{"ID", "EMAIL", "NAME", "PROFILE", "ROLE", "STATUS", "CONFIRMED"}}
		res, err := s.svc.ListUsers(s.ctx, s.org.ID, service.UserQuery{Type: t, Page: page, PerPage: limit, Caller: s.actor.UserID})
		if err != nil {
			return nil, err
		}
		for _, u := range res.Users {
			l.add(map[string]any{"id": u.ID, "email": u.Email, "full_name": u.FullName(), "profile": pname[u.ProfileID],
				"role": rname[u.RoleID], "status": u.Status, "confirm": u.Confirmed},
				u.ID.String(), u.Email, u.FullName(), pname[u.ProfileID], rname[u.RoleID], u.Status, yesNo(u.Confirmed))
		}
		// The hint goes to stderr so that stdout stays one table or one
		// JSON document a script can read.
		if res.More {
			fmt.Fprintf(e.stderr, "more users: --page %d\n", page+1)
		}
		return l, nil
	})
	c.Example = `  crmguard user list --type ActiveUsers --limit 50 --page 2`
	c.Flags().StringVar(&typ, "type", "AllUsers", "one of the API's user types, e.g. ActiveUsers, DeletedUsers")
	c.Flags().IntVar(&limit, "limit", 200, "at most this many users a page")
	c.Flags().IntVar(&page, "page", 1, "which page of --limit users")
	return c
}

func userAddCmd(e *env) *cobra.Command {
	var email, first, last, role, profile, publicURL string
	var asJSON bool
	c := &cobra.Command{
		Use:   "add --email E --last-name L --profile P --role R [--first-name F]",
		Short: "Add a user and print their invitation link",
		Long: `Add a user, as POST /crm/v8/users does, and print the invitation link where
they set a password (which confirms them). The link is shown only here,
once: it is stored as a hash and never written to the audit log; make a new
one with 'crmguard user invite'. --profile and --role take a name or an ID.`,
		Example: `  crmguard user add --email ana@example.com --first-name Ana --last-name Lima --profile Standard --role Manager`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if email == "" || last == "" || profile == "" || role == "" {
				return usagef("--email, --last-name, --profile and --role are required")
			}
			return e.with(service.Config{PublicURL: publicURL}, func(s *session) error {
				p, err := s.svc.ProfileByRef(s.ctx, s.org.ID, profile)
				if err != nil {
					return err
				}
				r, err := s.svc.RoleByRef(s.ctx, s.org.ID, role)
				if err != nil {
					return err
				}
				in := service.UserInput{Email: &email, LastName: &last, Profile: &p.ID, Role: &r.ID}
				if first != "" {
					in.FirstName = &first
				}
				nu, err := s.svc.AddUser(s.ctx, s.actor, in)
				if err != nil {
					return err
				}
				if asJSON {
					// The link, as the text shows it: this is its one showing.
					return printJSON(e.stdout, map[string]any{"id": nu.User.ID, "email": nu.User.Email,
						"full_name": nu.User.FullName(), "profile": p.Name, "role": r.Name, "invitation_link": nu.InviteURL})
				}
				fmt.Fprintf(e.stdout, "added %s (%s)\ninvitation link: %s\n", nu.User.Email, nu.User.ID, nu.InviteURL)
				return nil
			})
		},
	}
	c.Flags().StringVar(&email, "email", "", "the user's e-mail")
	c.Flags().StringVar(&first, "first-name", "", "first name")
	c.Flags().StringVar(&last, "last-name", "", "last name")
	c.Flags().StringVar(&profile, "profile", "", "profile name or ID")
	c.Flags().StringVar(&role, "role", "", "role name or ID")
	c.Flags().StringVar(&publicURL, "public-url", "", publicURLHelp("the invitation link"))
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func userInviteCmd(e *env) *cobra.Command {
	var publicURL string
	var asJSON bool
	c := &cobra.Command{
		Use:   "invite EMAIL",
		Short: "Print a new invitation link for a user not yet confirmed",
		Long: `Make a new invitation link for a user who has not set a password yet, such as
one added through the API (which shows the link to no one). The previous
link stops working. The link is shown only here, once.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{PublicURL: publicURL}, func(s *session) error {
				u, err := s.svc.UserByEmail(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				url, err := s.svc.Reinvite(s.ctx, s.actor, u.ID)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": u.ID, "email": u.Email, "invitation_link": url})
				}
				fmt.Fprintf(e.stdout, "invitation link for %s: %s\n", u.Email, url)
				return nil
			})
		},
	}
	c.Flags().StringVar(&publicURL, "public-url", "", publicURLHelp("the invitation link"))
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func userSeedCmd(e *env) *cobra.Command {
	var count int
	var asJSON bool
	c := &cobra.Command{
		Use:   "seed --count N",
		Short: "Add N generated users, for load and scale tests",
		Long: `Add N generated users in one transaction (100,000 take a few seconds):
names from a fixed list, e-mails under example.test, spread over the org's
profiles (not Administrator) and roles (not CEO); one in twenty is
deactivated and one in twenty not confirmed. The org's licence count is
raised to fit when needed. A running server sees them on its next request.`,
		Example: `  crmguard user seed --count 100000`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if count < 1 {
				return usagef("--count must be at least 1")
			}
			return e.with(service.Config{}, func(s *session) error {
				start := time.Now()
				bar := e.newProgress("seeding users", count)
				raised, err := s.svc.SeedUsers(s.ctx, s.actor, count, bar.update)
				bar.end()
				if err != nil {
					return err
				}
				took := time.Since(start).Round(time.Millisecond)
				if asJSON {
					return printJSON(e.stdout, map[string]any{"seeded": count, "duration_ms": took.Milliseconds(),
						"license_users_raised": raised})
				}
				fmt.Fprintf(e.stdout, "seeded %d users in %s\n", count, took)
				if raised > 0 {
					fmt.Fprintf(e.stdout, "licences raised to %d\n", raised)
				}
				return nil
			})
		},
	}
	c.Flags().IntVar(&count, "count", 0, "how many users to add")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
