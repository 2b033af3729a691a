package cli

import (
	"fmt"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func clientDeleteCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "delete CLIENT_ID",
		Short: "Delete an OAuth client and revoke every token it minted",
		Long: `Delete an OAuth client, as deleting it in Zoho's API console does: its
tokens are revoked at once (a running server refuses them on its next
request), its grant codes and credentials stop working. If it was the org's
only Self Client, 'crmguard token issue' needs a new one from
'crmguard client create'. Needs Manage Security Control.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				cl, err := s.svc.DeleteClient(s.ctx, s.actor, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"client_id": cl.ClientID, "name": cl.Name, "deleted": true})
				}
				fmt.Fprintf(e.stdout, "deleted client %s (%s); its tokens are revoked\n", cl.ClientID, cl.Name)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func clientRotateSecretCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "rotate-secret CLIENT_ID",
		Short: "Give a client a new secret; the old one stops working",
		Long: `Give an OAuth client a new client secret and print it, once: it is stored
only as a hash. The old secret stops working at /oauth/v2/token at once;
tokens already minted stay valid until they expire or are revoked.
Needs Manage Security Control.`,
		Example: `  crmguard client rotate-secret 1000.ABC... --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				cl, secret, err := s.svc.RotateClientSecret(s.ctx, s.actor, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"client_id": cl.ClientID, "client_secret": secret, "name": cl.Name})
				}
				fmt.Fprintf(e.stdout, "client_id:     %s\nclient_secret: %s\n", cl.ClientID, secret)
				fmt.Fprintln(e.stdout, "The secret is shown only now; it is stored as a hash.")
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
