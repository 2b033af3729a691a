package cli

import (
	"fmt"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func profileCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "profile", Short: "List, show, clone and delete profiles; turn their permissions on or off",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(profileListCmd(e), profileShowCmd(e), profileCloneCmd(e), profileSetCmd(e), profileDeleteCmd(e))
	return c
}

func profileListCmd(e *env) *cobra.Command {
	return listCmd(e, "List profiles with their API access", func(s *session) (*listing, error) {
		ps, err := s.svc.ListProfiles(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		l := &listing{key: "profiles", header: []string{"ID", "NAME", "API_ACCESS"}}
		for _, p := range ps {
			api := p.Permissions.Has(crmguard.PermAPIAccess)
			l.add(map[string]any{"id": p.ID, "name": p.Name, "custom": p.Custom, "api_access": api},
				p.ID.String(), p.Name, onOff(api))
		}
		return l, nil
	})
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

func profileSetCmd(e *env) *cobra.Command {
	var apiAccess string
	var perms []string
	var asJSON bool
	c := &cobra.Command{
		Use:   "set PROFILE [--api-access on|off] [--permission NAME=on|off]...",
		Short: "Turn permissions of a profile on or off",
		Long: `Turn permissions of a profile (by name or ID) on or off. --api-access is the
"Zoho CRM API Access" toggle (Crm_Implied_Api_Access). The change applies to
the running server's next requests. The Administrator profile cannot be edited.`,
		Example: `  crmguard profile set Standard --api-access on
  crmguard profile set Sales --permission Crm_Implied_Export=on --permission Crm_Implied_Mass_Delete=off`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			changes := map[string]bool{}
			if apiAccess != "" {
				on, err := parseOnOff(apiAccess)
				if err != nil {
					return usagef("--api-access: %v", err)
				}
				changes[crmguard.PermAPIAccess] = on
			}
			for _, p := range perms {
				name, val, ok := strings.Cut(p, "=")
				on, err := parseOnOff(val)
				if !ok || err != nil {
					return usagef("--permission %q: want NAME=on or NAME=off", p)
				}
				changes[strings.TrimSpace(name)] = on
			}
			if len(changes) == 0 {
				return usagef("nothing to change: give --api-access or --permission")
			}
			return e.with(service.Config{}, func(s *session) error {
				p, err := s.svc.ProfileByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				if p, err = s.svc.SetProfilePermissions(s.ctx, s.actor, p.ID, changes); err != nil {
					return err
				}
				api := p.Permissions.Has(crmguard.PermAPIAccess)
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": p.ID, "name": p.Name, "api_access": api, "changed": changes})
				}
				fmt.Fprintf(e.stdout, "%s: Zoho CRM API Access: %s\n", p.Name, onOff(api))
				return nil
			})
		},
	}
	c.Flags().StringVar(&apiAccess, "api-access", "", "on or off: the Zoho CRM API Access permission")
	c.Flags().StringArrayVar(&perms, "permission", nil, "NAME=on or NAME=off (repeatable)")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func parseOnOff(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not on or off", s)
}

func profileShowCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show PROFILE",
		Short: "Show a profile's permissions, section by section",
		Long:  `Show a profile (by name or ID) and every permission of the catalogue, grouped by section and category, with ON or OFF.`,
		Example: `  crmguard profile show Standard
  crmguard profile show Sales --json | jq '.permissions[] | select(.enabled)'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				p, err := s.svc.ProfileByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				ids, err := s.svc.PermissionIDs(s.ctx, s.org.ID)
				if err != nil {
					return err
				}
				if asJSON {
					perms := make([]map[string]any, len(crmguard.Catalogue))
					for i, d := range crmguard.Catalogue {
						perms[i] = map[string]any{"id": ids[i], "name": d.Name, "display_label": d.DisplayLabel,
							"section": d.Section, "category": d.CategoryName, "enabled": p.Permissions.HasIndex(i)}
					}
					return printJSON(e.stdout, map[string]any{"id": p.ID, "name": p.Name, "description": p.Description,
						"custom": p.Custom, "permissions": perms})
				}
				fmt.Fprintf(e.stdout, "%s (%s)%s\n", p.Name, p.ID, map[bool]string{true: "", false: ", built-in"}[p.Custom])
				if p.Description != "" {
					fmt.Fprintf(e.stdout, "%s\n", p.Description)
				}
				section, category := "", ""
				for i, d := range crmguard.Catalogue {
					if d.Section != section {
						section, category = d.Section, ""
						fmt.Fprintf(e.stdout, "\n%s\n", strings.ToUpper(d.Section))
					}
					if d.CategoryName != category {
						category = d.CategoryName
						fmt.Fprintf(e.stdout, "  %s:", category)
					}
					fmt.Fprintf(e.stdout, " %s %s", d.DisplayLabel, onOff(p.Permissions.HasIndex(i)))
					if i+1 == len(crmguard.Catalogue) || crmguard.Catalogue[i+1].CategoryName != category || crmguard.Catalogue[i+1].Section != section {
						fmt.Fprintln(e.stdout)
					} else {
						fmt.Fprint(e.stdout, ",")
					}
				}
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func profileCloneCmd(e *env) *cobra.Command {
	var name, description string
	var asJSON bool
	c := &cobra.Command{
		Use:     "clone SOURCE --name NAME [--description D]",
		Short:   "Make a profile from another, with its permissions",
		Long:    `Clone a profile (by name or ID), as POST /crm/v8/settings/profiles/{id}/actions/clone does: names are unique (any case), at most 50 characters; at most 25 profiles per org.`,
		Example: `  crmguard profile clone Standard --name "Integrations" --description "API users"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				return usagef("--name is required")
			}
			return e.with(service.Config{}, func(s *session) error {
				src, err := s.svc.ProfileByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				in := service.ProfileInput{Name: &name}
				if description != "" {
					in.Description = &description
				}
				p, err := s.svc.CloneProfile(s.ctx, s.actor, src.ID, in)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": p.ID, "name": p.Name, "description": p.Description,
						"custom": p.Custom, "source_id": src.ID, "source": src.Name})
				}
				fmt.Fprintf(e.stdout, "created profile %s (%s) from %s\n", p.Name, p.ID, src.Name)
				return nil
			})
		},
	}
	c.Flags().StringVar(&name, "name", "", "the new profile's name")
	c.Flags().StringVar(&description, "description", "", "its description (at most 250 characters)")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func profileDeleteCmd(e *env) *cobra.Command {
	var transferTo string
	var asJSON bool
	c := &cobra.Command{
		Use:     "delete PROFILE --transfer-to PROFILE",
		Short:   "Delete a custom profile, moving its users to another",
		Example: `  crmguard profile delete Integrations --transfer-to Standard`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if transferTo == "" {
				return usagef("--transfer-to is required: the profile the users move to")
			}
			return e.with(service.Config{}, func(s *session) error {
				p, err := s.svc.ProfileByRef(s.ctx, s.org.ID, args[0])
				if err != nil {
					return err
				}
				to, err := s.svc.ProfileByRef(s.ctx, s.org.ID, transferTo)
				if err != nil {
					return err
				}
				if err := s.svc.DeleteProfile(s.ctx, s.actor, p.ID, to.ID); err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": p.ID, "name": p.Name, "deleted": true,
						"transferred_to_id": to.ID, "transferred_to": to.Name})
				}
				fmt.Fprintf(e.stdout, "deleted profile %s; its users now have %s\n", p.Name, to.Name)
				return nil
			})
		},
	}
	c.Flags().StringVar(&transferTo, "transfer-to", "", "profile (name or ID) that takes the users")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
