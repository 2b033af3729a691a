package cli

import (
	"fmt"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func clientCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "client", Short: "Manage OAuth clients (as Zoho's API console does)",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(clientCreateCmd(e), clientListCmd(e))
	c.AddCommand(clientDeleteCmd(e), clientRotateSecretCmd(e))
	return c
}

func clientCreateCmd(e *env) *cobra.Command {
	var name, typ string
	var uris []string
	var asJSON bool
	c := &cobra.Command{
		Use:   "create --name NAME [--redirect-uri URI]...",
		Short: "Register an OAuth client and print its client id and secret",
		Long: `Register an OAuth client. With --redirect-uri it is a server-based client
for the authorization-code flow; without, a Self Client (grant codes from
'crmguard token grant', and client credentials). The secret is printed once
and stored only as a hash.`,
		Example: `  crmguard client create --name "My app" --redirect-uri http://localhost:9000/callback
  crmguard client create --name "Nightly sync" --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(name) == "" {
				return usagef("--name is required")
			}
			if typ == "" {
				typ = crmguard.ClientSelf
				if len(uris) > 0 {
					typ = crmguard.ClientServer
				}
			}
			return e.with(service.Config{}, func(s *session) error {
				cl, secret, err := s.svc.CreateClient(s.ctx, s.actor, name, typ, uris)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"client_id": cl.ClientID, "client_secret": secret,
						"name": cl.Name, "type": cl.Type, "redirect_uris": nonNil(cl.RedirectURIs)})
				}
				fmt.Fprintf(e.stdout, "client_id:     %s\nclient_secret: %s\ntype:          %s\n", cl.ClientID, secret, cl.Type)
				for _, u := range cl.RedirectURIs {
					fmt.Fprintf(e.stdout, "redirect_uri:  %s\n", u)
				}
				fmt.Fprintln(e.stdout, "The secret is shown only now; it is stored as a hash.")
				return nil
			})
		},
	}
	c.Flags().StringVar(&name, "name", "", "client name (required)")
	c.Flags().StringArrayVar(&uris, "redirect-uri", nil, "authorized redirect URI (repeatable)")
	c.Flags().StringVar(&typ, "type", "", "self_client or server_based (default: server_based with --redirect-uri, else self_client)")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func clientListCmd(e *env) *cobra.Command {
	return listCmd(e, "List OAuth clients", func(s *session) (*listing, error) {
		cs, err := s.svc.ListClients(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		l := &listing{key: "clients", header: []string{"CLIENT_ID", "TYPE", "NAME", "REDIRECT_URIS"}}
		for _, c := range cs {
			l.add(map[string]any{"client_id": c.ClientID, "name": c.Name, "type": c.Type,
				"redirect_uris": nonNil(c.RedirectURIs), "created_time": c.CreatedTime},
				c.ClientID, c.Type, c.Name, strings.Join(c.RedirectURIs, " "))
		}
		return l, nil
	})
}
