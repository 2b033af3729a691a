package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

// userManageCmds are the commands on one user, named by e-mail. Each goes
// through the same service use case as PUT and DELETE /crm/v8/users, so the
// API's rules (the primary contact, the Administrator profile, licences)
// hold and the change is in the audit log with the source cli.
func userManageCmds(e *env) []*cobra.Command {
	return []*cobra.Command{userShowCmd(e), userUpdateCmd(e), userStatusCmd(e, "activate", "active"),
		userStatusCmd(e, "deactivate", "inactive"), userDeleteCmd(e)}
}

func userShowCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "show EMAIL",
		Short:   "Show one user: profile, role, status, time zone",
		Example: `  crmguard user show ana@example.com --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				u, err := s.svc.UserByEmail(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				return printUser(s, e.stdout, u, asJSON)
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func userUpdateCmd(e *env) *cobra.Command {
	var first, last, role, profile, tz string
	var asJSON bool
	c := &cobra.Command{
		Use:   "update EMAIL [--first-name F] [--last-name L] [--profile P] [--role R] [--time-zone TZ]",
		Short: "Change a user's name, profile, role or time zone",
		Long: `Change a user as PUT /crm/v8/users does: only the flags given change. --profile
and --role take a name or an ID. The API's rules hold: only an administrator
changes an Administrator user, the primary contact keeps the Administrator
profile, and a user's time zone is changed only by that user (Zoho's rule;
the CLI acts as the primary contact).`,
		Example: `  crmguard user update ana@example.com --role "Sales Rep" --profile Sales`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in service.UserInput
			set := func(flag string, v *string, into **string) {
				if cmd.Flags().Changed(flag) {
					*into = v
				}
			}
			set("first-name", &first, &in.FirstName)
			set("last-name", &last, &in.LastName)
			set("time-zone", &tz, &in.TimeZone)
			changed := in.FirstName != nil || in.LastName != nil || in.TimeZone != nil ||
				cmd.Flags().Changed("role") || cmd.Flags().Changed("profile")
			if !changed {
				return usagef("nothing to change: give at least one of --first-name, --last-name, --profile, --role, --time-zone")
			}
			return e.with(service.Config{}, func(s *session) error {
				if cmd.Flags().Changed("profile") {
					p, err := s.svc.ProfileByRef(s.ctx, s.org.ID, profile)
					if err != nil {
						return err
					}
					in.Profile = &p.ID
				}
				if cmd.Flags().Changed("role") {
					r, err := s.svc.RoleByRef(s.ctx, s.org.ID, role)
					if err != nil {
						return err
					}
					in.Role = &r.ID
				}
				u, err := s.updateOne(args[0], in)
				if err != nil {
					return err
				}
				if asJSON {
					return printUser(s, e.stdout, u, true)
				}
				fmt.Fprintf(e.stdout, "updated %s (%s)\n", u.Email, u.ID)
				return nil
			})
		},
	}
	c.Flags().StringVar(&first, "first-name", "", "new first name (empty clears it)")
	c.Flags().StringVar(&last, "last-name", "", "new last name")
	c.Flags().StringVar(&profile, "profile", "", "new profile, by name or ID")
	c.Flags().StringVar(&role, "role", "", "new role, by name or ID")
	c.Flags().StringVar(&tz, "time-zone", "", "new time zone, e.g. Europe/Berlin")
	c.Flags().BoolVar(&asJSON, "json", false, "print the updated user as one JSON object")
	return c
}

// userStatusCmd makes activate or deactivate, which set the status the API
// sets with {"status":"active"} or {"status":"inactive"}.
func userStatusCmd(e *env, verb, status string) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   verb + " EMAIL",
		Short: map[string]string{"active": "Activate a deactivated user (takes a licence)", "inactive": "Deactivate a user: their tokens stop working, their data stays"}[status],
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				st := status
				u, err := s.updateOne(args[0], service.UserInput{Status: &st})
				if err != nil {
					return err
				}
				if asJSON {
					return printUser(s, e.stdout, u, true)
				}
				fmt.Fprintf(e.stdout, "%sd %s (%s)\n", verb, u.Email, u.ID)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the user as one JSON object")
	return c
}

func userDeleteCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "delete EMAIL",
		Short: "Delete a user and revoke every token of theirs",
		Long: `Delete a user as DELETE /crm/v8/users/{id} does: the user stays in the list of
DeletedUsers, every token of theirs is revoked at once, and the e-mail cannot
sign in again. The primary contact cannot be deleted.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				u, err := s.svc.UserByEmail(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				if err := s.svc.DeleteUser(s.ctx, s.actor, u.ID); err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": u.ID, "email": u.Email, "status": crmguard.UserDeleted})
				}
				fmt.Fprintf(e.stdout, "deleted %s (%s)\n", u.Email, u.ID)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

// updateOne applies in to the user with the e-mail through UpdateUsers and
// returns the user as stored after it. A record's refusal is the error.
func (s *session) updateOne(email string, in service.UserInput) (*crmguard.User, error) {
	u, err := s.svc.UserByEmail(s.ctx, s.org.ID, email)
	if err != nil {
		return nil, err
	}
	res, err := s.svc.UpdateUsers(s.ctx, s.actor, []service.UserUpdate{{ID: u.ID, HasID: true, Input: in}})
	if err != nil {
		return nil, err
	}
	if res[0] != nil {
		return nil, res[0]
	}
	return s.svc.User(s.ctx, s.org.ID, u.ID)
}

// printUser prints a user with profile, role and manager by name.
func printUser(s *session, w io.Writer, u *crmguard.User, asJSON bool) error {
	profile, role, manager := "", "", ""
	if p, err := s.svc.ProfileByRef(s.ctx, s.org.ID, u.ProfileID.String()); err == nil {
		profile = p.Name
	}
	if r, err := s.svc.GetRole(s.ctx, s.org.ID, u.RoleID); err == nil {
		role = r.Name
	}
	if u.ReportingTo != 0 {
		if m, err := s.svc.User(s.ctx, s.org.ID, u.ReportingTo); err == nil {
			manager = m.Email
		}
	}
	if asJSON {
		m := map[string]any{"id": u.ID, "email": u.Email, "first_name": u.FirstName, "last_name": u.LastName,
			"full_name": u.FullName(), "profile": map[string]any{"id": u.ProfileID, "name": profile},
			"role": map[string]any{"id": u.RoleID, "name": role}, "status": u.Status, "confirm": u.Confirmed,
			"time_zone": u.TimeZone, "locale": u.Locale, "created_time": u.CreatedTime, "modified_time": u.ModifiedTime}
		if u.ReportingTo != 0 {
			m["reporting_to"] = map[string]any{"id": u.ReportingTo, "email": manager}
		}
		return printJSON(w, m)
	}
	rows := [][2]string{{"id", u.ID.String()}, {"email", u.Email}, {"name", u.FullName()},
		{"profile", profile}, {"role", role}, {"status", u.Status}, {"confirmed", yesNo(u.Confirmed)},
		{"time_zone", u.TimeZone}, {"locale", u.Locale}}
	if manager != "" {
		rows = append(rows, [2]string{"reporting_to", manager})
	}
	rows = append(rows, [2]string{"created", u.CreatedTime.UTC().Format(time.RFC3339)},
		[2]string{"modified", u.ModifiedTime.UTC().Format(time.RFC3339)})
	for _, r := range rows {
		fmt.Fprintf(w, "%-13s %s\n", r[0]+":", r[1])
	}
	return nil
}
