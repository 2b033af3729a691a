package cli

import (
	"github.com/crmguard/crmguard"
	"github.com/spf13/cobra"
)

func reportCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "report", Short: "Reports for administrators",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	l := listCmd(e, "List the active users who can call the API", func(s *session) (*listing, error) {
		rows, _, err := s.svc.APIAccessReport(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		roles, err := s.svc.ListRoles(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		rn := map[crmguard.ID]string{}
		for _, r := range roles {
			rn[r.ID] = r.Name
		}
		l := &listing{key: "users", header: []string{"EMAIL", "NAME", "PROFILE", "ROLE", "IP_RESTRICTED"}}
		for _, r := range rows {
			l.add(map[string]any{"id": r.User.ID, "email": r.User.Email, "full_name": r.User.FullName(), "profile": r.Profile.Name,
				"role": rn[r.User.RoleID], "ip_restricted": r.Restricted},
				r.User.Email, r.User.FullName(), r.Profile.Name, rn[r.User.RoleID], yesNo(r.Restricted))
		}
		return l, nil
	})
	l.Use = "api-access"
	l.Long = `List the active users who can call the API: their profile has "Zoho CRM API
Access" on. IP_RESTRICTED says allowed-IP rules bind them.`
	c.AddCommand(l)
	return c
}
