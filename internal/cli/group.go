package cli

import (
	"fmt"
	"strconv"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func groupCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "group", Short: "List, add and delete user groups; add and remove their members",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(groupListCmd(e), groupAddCmd(e), groupMemberCmd(e, true), groupMemberCmd(e, false), groupDeleteCmd(e))
	return c
}

func groupListCmd(e *env) *cobra.Command {
	return listCmd(e, "List user groups with their user and role sources", func(s *session) (*listing, error) {
		gs, err := s.svc.ListUserGroups(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		l := &listing{key: "user_groups", header: []string{"ID", "GROUP", "USERS", "ROLES"}}
		for _, g := range gs {
			var users, roles int
			var sources []map[string]any
			for _, src := range g.Sources {
				if src.Type == crmguard.GroupSourceRoles {
					roles++
				} else {
					users++
				}
				sources = append(sources, map[string]any{"type": src.Type, "id": src.ID, "subordinates": src.Subordinates})
			}
			l.add(map[string]any{"id": g.ID, "name": g.Name, "description": g.Description, "sources": sources},
				g.ID.String(), g.Name, strconv.Itoa(users), strconv.Itoa(roles))
		}
		return l, nil
	})
}

// memberFlags are the sources a command names: users by e-mail, roles by
// name or ID.
type memberFlags struct {
	users, roles []string
	subordinates bool
}

func (m *memberFlags) register(c *cobra.Command) {
	c.Flags().StringSliceVar(&m.users, "user", nil, "a user (e-mail) to add; repeat or separate with commas")
	c.Flags().StringSliceVar(&m.roles, "role", nil, "a role (name or ID) whose users belong; repeat or separate with commas")
	c.Flags().BoolVar(&m.subordinates, "subordinates", false, "with --role: the users of the roles below it too")
}

func (m *memberFlags) sources(s *session, remove bool) ([]service.GroupSourceInput, error) {
	var out []service.GroupSourceInput
	for _, email := range m.users {
		u, err := s.svc.UserByEmail(s.ctx, s.org.ID, email)
		if err != nil {
			return nil, err
		}
		out = append(out, service.GroupSourceInput{Type: crmguard.GroupSourceUsers, ID: u.ID, Delete: remove})
	}
	for _, ref := range m.roles {
		r, err := s.svc.RoleByRef(s.ctx, s.org.ID, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, service.GroupSourceInput{Type: crmguard.GroupSourceRoles, ID: r.ID, Subordinates: m.subordinates, Delete: remove})
	}
	if len(out) == 0 {
		return nil, usagef("name at least one --user or --role")
	}
	return out, nil
}

func groupAddCmd(e *env) *cobra.Command {
	var description string
	var asJSON bool
	var m memberFlags
	c := &cobra.Command{
		Use:     "add NAME (--user EMAIL | --role ROLE [--subordinates])... [--description D]",
		Short:   "Add a user group",
		Example: `  crmguard group add "Field Sales" --user patricia.boyle@example.com --role Manager --subordinates`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				src, err := m.sources(s, false)
				if err != nil {
					return err
				}
				in := service.UserGroupInput{Name: &args[0], Sources: src, HasSources: true}
				if description != "" {
					in.Description = &description
				}
				ids, results, err := s.svc.AddUserGroups(s.ctx, s.actor, []service.UserGroupInput{in})
				if err == nil {
					err = firstError(results)
				}
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": ids[0], "name": args[0], "description": description, "sources": len(src)})
				}
				fmt.Fprintf(e.stdout, "added group %s (%s) with %d sources\n", args[0], ids[0], len(src))
				return nil
			})
		},
	}
	m.register(c)
	c.Flags().StringVar(&description, "description", "", "a description")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

// groupMemberCmd is "group add-member" or "group remove-member".
func groupMemberCmd(e *env, add bool) *cobra.Command {
	var asJSON bool
	var m memberFlags
	use, short, verb := "add-member", "Add users or roles to a group", "added to"
	if !add {
		use, short, verb = "remove-member", "Remove users or roles from a group", "removed from"
	}
	c := &cobra.Command{
		Use:   use + " GROUP (--user EMAIL | --role ROLE)...",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				g, err := s.svc.GroupByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				src, err := m.sources(s, !add)
				if err != nil {
					return err
				}
				results, err := s.svc.UpdateUserGroups(s.ctx, s.actor, []service.UserGroupInput{{ID: g.ID, HasID: true, Sources: src, HasSources: true}})
				if err == nil {
					err = firstError(results)
				}
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": g.ID, "name": g.Name, "changed": len(src), "added": add})
				}
				fmt.Fprintf(e.stdout, "%d sources %s group %s\n", len(src), verb, g.Name)
				return nil
			})
		},
	}
	m.register(c)
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func groupDeleteCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "delete GROUP",
		Short: "Delete a user group",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				g, err := s.svc.GroupByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				if err := s.svc.DeleteUserGroup(s.ctx, s.actor, g.ID); err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": g.ID, "name": g.Name, "deleted": true})
				}
				fmt.Fprintf(e.stdout, "deleted group %s\n", g.Name)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
