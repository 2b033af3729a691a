package cli

import (
	"fmt"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func territoryCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "territory", Short: "List the territory tree; add, move and delete territories; assign users",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(territoryListCmd(e), territoryAddCmd(e), territoryMoveCmd(e), territoryDeleteCmd(e),
		territoryAssignCmd(e, true), territoryAssignCmd(e, false))
	return c
}

func territoryListCmd(e *env) *cobra.Command {
	return listCmd(e, "List territories, each under its parent, with manager and members", func(s *session) (*listing, error) {
		ts, err := s.svc.ListTerritories(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		children := map[crmguard.ID][]*crmguard.Territory{}
		name := map[crmguard.ID]string{}
		var ids []crmguard.ID
		for _, t := range ts {
			children[t.ReportingTo] = append(children[t.ReportingTo], t)
			name[t.ID] = t.Name
			ids = append(ids, t.Manager)
		}
		users, err := s.svc.UserNames(s.ctx, s.org.ID, ids)
		if err != nil {
			return nil, err
		}
		l := &listing{key: "territories", header: []string{"ID", "TERRITORY", "REPORTS_TO", "MANAGER", "PERMISSION", "USERS"}}
		var walk func(parent crmguard.ID, depth int) error
		walk = func(parent crmguard.ID, depth int) error {
			for _, t := range children[parent] {
				members, err := s.svc.TerritoryUserIDs(s.ctx, s.org.ID, t.ID)
				if err != nil {
					return err
				}
				l.add(map[string]any{"id": t.ID, "name": t.Name, "reporting_to": t.ReportingTo, "manager": t.Manager,
					"permission_type": t.PermissionType, "description": t.Description, "users": len(members)},
					t.ID.String(), strings.Repeat("  ", depth)+t.Name, name[t.ReportingTo], users[t.Manager], t.PermissionType, fmt.Sprint(len(members)))
				if depth < 64 {
					if err := walk(t.ID, depth+1); err != nil {
						return err
					}
				}
			}
			return nil
		}
		return l, walk(0, 0)
	})
}

func territoryAddCmd(e *env) *cobra.Command {
	var reportsTo, manager, description, permission string
	var asJSON bool
	c := &cobra.Command{
		Use:   "add NAME [--reports-to TERRITORY] [--manager EMAIL] [--permission read_only|read_write_delete]",
		Short: "Add a territory under another (the first one is the root)",
		Example: `  crmguard territory add Zylker
  crmguard territory add "North America" --reports-to Zylker --manager marcus.webb@example.com`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				in := service.TerritoryInput{Name: &args[0], PermissionType: &permission}
				var parent *crmguard.Territory
				if reportsTo != "" {
					var err error
					if parent, err = s.svc.TerritoryByRef(s.ctx, s.org.ID, reportsTo); err != nil {
						return err
					}
					in.ReportingTo = &parent.ID
				}
				if description != "" {
					in.Description = &description
				}
				if manager != "" {
					u, err := s.user(manager)
					if err != nil {
						return err
					}
					in.Manager = &u.ID
				}
				ids, results, err := s.svc.AddTerritories(s.ctx, s.actor, []service.TerritoryInput{in})
				if err == nil {
					err = firstError(results)
				}
				if err != nil {
					return err
				}
				out := map[string]any{"id": ids[0], "name": args[0], "permission_type": permission, "reporting_to": nil}
				where := "as the root territory"
				if parent != nil {
					out["reporting_to"], out["reporting_to_name"] = parent.ID, parent.Name
					where = "under " + parent.Name
				}
				if asJSON {
					return printJSON(e.stdout, out)
				}
				fmt.Fprintf(e.stdout, "added territory %s (%s) %s\n", args[0], ids[0], where)
				return nil
			})
		},
	}
	c.Flags().StringVar(&reportsTo, "reports-to", "", "the parent territory (name or ID); required but for the first")
	c.Flags().StringVar(&manager, "manager", "", "the e-mail of the territory's manager")
	c.Flags().StringVar(&description, "description", "", "a description")
	c.Flags().StringVar(&permission, "permission", crmguard.TerritoryReadWriteDelete, "what members may do with its records: read_only or read_write_delete")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func territoryMoveCmd(e *env) *cobra.Command {
	var reportsTo string
	var asJSON bool
	c := &cobra.Command{
		Use:     "move TERRITORY --reports-to TERRITORY",
		Short:   "Make a territory report to another",
		Long:    `Move a territory (with those below it) under another. The root cannot move, and a territory cannot move under itself or one below it.`,
		Example: `  crmguard territory move Canada --reports-to Zylker`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if reportsTo == "" {
				return usagef("--reports-to is required")
			}
			return e.with(service.Config{}, func(s *session) error {
				t, err := s.svc.TerritoryByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				parent, err := s.svc.TerritoryByRef(s.ctx, s.org.ID, reportsTo)
				if err != nil {
					return err
				}
				results, err := s.svc.UpdateTerritories(s.ctx, s.actor, []service.TerritoryInput{{ID: t.ID, ReportingTo: &parent.ID}})
				if err == nil {
					err = firstError(results)
				}
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": t.ID, "name": t.Name, "reporting_to": parent.ID, "reporting_to_name": parent.Name})
				}
				fmt.Fprintf(e.stdout, "%s now reports to %s\n", t.Name, parent.Name)
				return nil
			})
		},
	}
	c.Flags().StringVar(&reportsTo, "reports-to", "", "the territory (name or ID) it will report to")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func territoryDeleteCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "delete TERRITORY",
		Short:   "Delete a territory without children; its users leave it",
		Example: `  crmguard territory delete Canada`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				t, err := s.svc.TerritoryByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				if err := s.svc.DeleteTerritory(s.ctx, s.actor, t.ID); err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": t.ID, "name": t.Name, "deleted": true})
				}
				fmt.Fprintf(e.stdout, "deleted territory %s\n", t.Name)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

// territoryAssignCmd is assign (add) or unassign: users in or out of a
// territory, each e-mail all or nothing.
func territoryAssignCmd(e *env, add bool) *cobra.Command {
	var asJSON bool
	use, short, done := "assign", "Add users to a territory", "added to"
	if !add {
		use, short, done = "unassign", "Take users out of a territory", "removed from"
	}
	c := &cobra.Command{
		Use:     use + " TERRITORY EMAIL...",
		Short:   short,
		Example: `  crmguard territory ` + use + ` Europe patricia.lopez@example.com`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				t, err := s.svc.TerritoryByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				var ids []crmguard.ID
				for _, email := range args[1:] {
					u, err := s.user(email)
					if err != nil {
						return fmt.Errorf("%s: %w", email, err)
					}
					ids = append(ids, u.ID)
				}
				var results []error
				if add {
					results, err = s.svc.AssociateTerritoryUsers(s.ctx, s.actor, t.ID, ids)
				} else {
					results, err = s.svc.RemoveTerritoryUsers(s.ctx, s.actor, t.ID, ids)
				}
				if err != nil {
					return err
				}
				var failed []string
				var ok []any
				for i, res := range results {
					if res != nil {
						failed = append(failed, args[1+i]+": "+res.Error())
						continue
					}
					ok = append(ok, args[1+i])
				}
				if asJSON && len(failed) == 0 {
					return printJSON(e.stdout, map[string]any{"id": t.ID, "name": t.Name, "users": ok})
				}
				for _, email := range ok {
					fmt.Fprintf(e.stdout, "%s %s %s\n", email, done, t.Name)
				}
				if len(failed) > 0 {
					return fmt.Errorf("%s", strings.Join(failed, "; "))
				}
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
