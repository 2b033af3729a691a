package cli

import (
	"fmt"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func roleCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "role", Short: "List the role tree; add, move and delete roles",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(roleListCmd(e), roleAddCmd(e), roleMoveCmd(e), roleDeleteCmd(e))
	return c
}

func roleListCmd(e *env) *cobra.Command {
	return listCmd(e, "List roles, each under the role it reports to", func(s *session) (*listing, error) {
		roles, err := s.svc.ListRoles(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		children := map[crmguard.ID][]*crmguard.Role{}
		name := map[crmguard.ID]string{}
		for _, r := range roles {
			children[r.ReportingTo] = append(children[r.ReportingTo], r)
			name[r.ID] = r.Name
		}
		l := &listing{key: "roles", header: []string{"ID", "ROLE", "REPORTS_TO"}}
		var walk func(parent crmguard.ID, depth int)
		walk = func(parent crmguard.ID, depth int) {
			for _, r := range children[parent] {
				indent := ""
				for i := 0; i < depth; i++ {
					indent += "  "
				}
				l.add(map[string]any{"id": r.ID, "name": r.Name, "reporting_to": r.ReportingTo, "description": r.Description,
					"share_with_peers": r.ShareWithPeer}, r.ID.String(), indent+r.Name, name[r.ReportingTo])
				if depth < 64 {
					walk(r.ID, depth+1)
				}
			}
		}
		walk(0, 0)
		return l, nil
	})
}

// firstError turns a one-record result into the command's error.
func firstError(results []error) error {
	if len(results) == 1 && results[0] != nil {
		return results[0]
	}
	return nil
}

func roleAddCmd(e *env) *cobra.Command {
	var reportsTo, description string
	var share, asJSON bool
	c := &cobra.Command{
		Use:     "add NAME --reports-to ROLE [--description D] [--share-with-peers]",
		Short:   "Add a role under another",
		Example: `  crmguard role add "Product Manager" --reports-to Manager`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if reportsTo == "" {
				return usagef("--reports-to is required: the role the new one reports to")
			}
			return e.with(service.Config{}, func(s *session) error {
				parent, err := s.svc.RoleByRef(s.ctx, s.org.ID, reportsTo)
				if err != nil {
					return err
				}
				in := service.RoleInput{Name: &args[0], ReportingTo: &parent.ID, ShareWithPeers: &share}
				if description != "" {
					in.Description = &description
				}
				ids, results, err := s.svc.AddRoles(s.ctx, s.actor, []service.RoleInput{in})
				if err == nil {
					err = firstError(results)
				}
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": ids[0], "name": args[0], "description": description,
						"share_with_peers": share, "reporting_to": parent.ID, "reporting_to_name": parent.Name})
				}
				fmt.Fprintf(e.stdout, "added role %s (%s) under %s\n", args[0], ids[0], reportsTo)
				return nil
			})
		},
	}
	c.Flags().StringVar(&reportsTo, "reports-to", "", "the role (name or ID) it reports to")
	c.Flags().StringVar(&description, "description", "", "a description")
	c.Flags().BoolVar(&share, "share-with-peers", false, "share data with peers of the role")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func roleMoveCmd(e *env) *cobra.Command {
	var reportsTo string
	var asJSON bool
	c := &cobra.Command{
		Use:     "move ROLE --reports-to ROLE",
		Short:   "Make a role report to another",
		Long:    `Move a role (with the roles below it) under another. The top role cannot move, and a role cannot move under itself or a role below it.`,
		Example: `  crmguard role move "Support Agent" --reports-to CEO`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if reportsTo == "" {
				return usagef("--reports-to is required")
			}
			return e.with(service.Config{}, func(s *session) error {
				r, err := s.svc.RoleByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				parent, err := s.svc.RoleByRef(s.ctx, s.org.ID, reportsTo)
				if err != nil {
					return err
				}
				results, err := s.svc.UpdateRoles(s.ctx, s.actor, []service.RoleInput{{ID: r.ID, HasID: true, ReportingTo: &parent.ID}})
				if err == nil {
					err = firstError(results)
				}
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": r.ID, "name": r.Name,
						"reporting_to": parent.ID, "reporting_to_name": parent.Name})
				}
				fmt.Fprintf(e.stdout, "%s now reports to %s\n", args[0], reportsTo)
				return nil
			})
		},
	}
	c.Flags().StringVar(&reportsTo, "reports-to", "", "the role (name or ID) it will report to")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func roleDeleteCmd(e *env) *cobra.Command {
	var transferTo string
	var asJSON bool
	c := &cobra.Command{
		Use:     "delete ROLE --transfer-to ROLE",
		Short:   "Delete a role, moving its users and sub-roles to another",
		Example: `  crmguard role delete "Sales Rep" --transfer-to Manager`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if transferTo == "" {
				return usagef("--transfer-to is required: the role that takes the users and sub-roles")
			}
			return e.with(service.Config{}, func(s *session) error {
				r, err := s.svc.RoleByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				to, err := s.svc.RoleByRef(s.ctx, s.org.ID, transferTo)
				if err != nil {
					return err
				}
				if err := s.svc.DeleteRole(s.ctx, s.actor, r.ID, to.ID); err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": r.ID, "name": r.Name, "deleted": true,
						"transferred_to_id": to.ID, "transferred_to": to.Name})
				}
				fmt.Fprintf(e.stdout, "deleted role %s; its users and sub-roles are under %s\n", args[0], transferTo)
				return nil
			})
		},
	}
	c.Flags().StringVar(&transferTo, "transfer-to", "", "the role (name or ID) that takes the users and sub-roles")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
