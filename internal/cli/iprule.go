package cli

import (
	"fmt"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func ipruleCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "iprule", Short: "Manage allowed IP ranges (Security Control → Allowed IPs)",
		Long: `An IP rule allows a range of client addresses for all users, or for one role,
profile or user. A user to whom any rule applies may call the API only from
inside one of those ranges; a user to whom none applies, from anywhere.`,
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(ipruleAddCmd(e), ipruleListCmd(e), ipruleRemoveCmd(e))
	return c
}

func ipRuleRow(r *crmguard.IPRule) map[string]any {
	return map[string]any{"id": r.ID, "name": r.Name, "range": r.Prefix.String(), "applies_to": r.AppliesTo,
		"target_id": r.TargetID, "created_time": r.CreatedTime}
}

func ipruleAddCmd(e *env) *cobra.Command {
	var in service.IPRuleInput
	var asJSON bool
	c := &cobra.Command{
		Use:   "add --range CIDR [--applies-to all|role|profile|user --target X]",
		Short: "Allow a range of addresses",
		Example: `  crmguard iprule add --range 203.0.113.0/24
  crmguard iprule add --range 2001:db8::/32 --applies-to profile --target Standard
  crmguard iprule add --range 198.51.100.7 --applies-to user --target jane@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in.Range == "" {
				return usagef("--range is required")
			}
			return e.with(service.Config{}, func(s *session) error {
				r, err := s.svc.AddIPRule(s.ctx, s.actor, in)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, ipRuleRow(r))
				}
				fmt.Fprintf(e.stdout, "added rule %s: %s for %s\n", r.ID, r.Prefix, target(r))
				return nil
			})
		},
	}
	c.Flags().StringVar(&in.Range, "range", "", "CIDR range or single address, IPv4 or IPv6 (required)")
	c.Flags().StringVar(&in.AppliesTo, "applies-to", crmguard.IPRuleAll, "all, role, profile or user")
	c.Flags().StringVar(&in.Target, "target", "", "the role or profile (name or ID) or user (e-mail or ID)")
	c.Flags().StringVar(&in.Name, "name", "", "a name for the rule (default: the range)")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func target(r *crmguard.IPRule) string {
	if r.AppliesTo == crmguard.IPRuleAll {
		return "all users"
	}
	return r.AppliesTo + " " + r.TargetID.String()
}

func ipruleListCmd(e *env) *cobra.Command {
	return listCmd(e, "List IP rules", func(s *session) (*listing, error) {
		rules, err := s.svc.ListIPRules(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		l := &listing{key: "ip_rules", header: []string{"ID", "RANGE", "APPLIES_TO", "NAME"}}
		for _, r := range rules {
			l.add(ipRuleRow(r), r.ID.String(), r.Prefix.String(), target(r), r.Name)
		}
		return l, nil
	})
}

func ipruleRemoveCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "remove ID",
		Short: "Remove an IP rule",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, ok := crmguard.ParseID(strings.TrimSpace(args[0]))
			if !ok {
				return usagef("%q is not a rule ID; see 'crmguard iprule list'", args[0])
			}
			return e.with(service.Config{}, func(s *session) error {
				if err := s.svc.RemoveIPRule(s.ctx, s.actor, id); err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": id, "removed": true})
				}
				fmt.Fprintf(e.stdout, "removed rule %s\n", id)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
