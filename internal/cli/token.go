package cli

import (
	"fmt"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func tokenCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "token", Short: "Make grant codes and tokens without a browser",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(tokenGrantCmd(e), tokenIssueCmd(e), tokenRevokeCmd(e))
	c.AddCommand(tokenListCmd(e))
	return c
}

const scopesHelp = "comma-separated scopes, e.g. ZohoCRM.users.ALL,ZohoCRM.org.READ,ZohoCRM.settings.ALL (required)"

func tokenGrantCmd(e *env) *cobra.Command {
	var clientID, user, scopes string
	var ttl time.Duration
	var asJSON bool
	c := &cobra.Command{
		Use:   "grant --client-id ID --scopes S [--user EMAIL]",
		Short: "Make a Self Client grant code to exchange at /oauth/v2/token",
		Long: `Make a single-use Self Client grant code, as "Generate Code" in Zoho's API
console does. Exchange it with grant_type=authorization_code (no redirect_uri)
for an access token and a refresh token.`,
		Example: `  crmguard token grant --client-id 1000.ABC... --scopes ZohoCRM.users.ALL
  curl -X POST http://127.0.0.1:8080/oauth/v2/token -d grant_type=authorization_code \
    -d client_id=1000.ABC... -d client_secret=... -d code=1000.xxx.yyy`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if clientID == "" || scopes == "" {
				return usagef("--client-id and --scopes are required")
			}
			return e.with(service.Config{}, func(s *session) error {
				u, err := s.user(user)
				if err != nil {
					return err
				}
				cl, err := s.svc.Client(s.ctx, clientID)
				if err != nil {
					return err
				}
				code, err := s.svc.CreateGrant(s.ctx, s.actor, service.GrantRequest{Client: cl, UserID: u.ID, Scopes: scopes, TTL: ttl})
				if err != nil {
					return err
				}
				if ttl == 0 {
					ttl = s.svc.Config().SelfClientGrantTTL
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"code": code, "expires_in": int(ttl / time.Second),
						"user": u.Email, "scope": scopes})
				}
				fmt.Fprintf(e.stdout, "code: %s\nexpires in %s; single use; for %s\n", code, ttl, u.Email)
				return nil
			})
		},
	}
	c.Flags().StringVar(&clientID, "client-id", "", "the Self Client's client id (required)")
	c.Flags().StringVar(&user, "user", "", "e-mail of the user the code acts for (default: the primary contact)")
	c.Flags().StringVar(&scopes, "scopes", "", scopesHelp)
	c.Flags().DurationVar(&ttl, "duration", 0, "how long the code lives (default 3m, as Zoho)")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}

func tokenIssueCmd(e *env) *cobra.Command {
	var user, scopes, publicURL string
	var refresh, asJSON bool
	c := &cobra.Command{
		Use:   "issue --scopes S [--user EMAIL] [--refresh]",
		Short: "Print an access token (and a refresh token) for a user",
		Long: `Mint tokens for a user directly, through the org's Self Client. The access
token lives an hour; with --refresh a refresh token is minted too, to use at
/oauth/v2/token with grant_type=refresh_token and the Self Client's credentials.`,
		Example: `  T=$(crmguard token issue --scopes ZohoCRM.users.ALL,ZohoCRM.org.ALL --json | jq -r .access_token)
  curl -H "Authorization: Zoho-oauthtoken $T" http://127.0.0.1:8080/crm/v8/org`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if scopes == "" {
				return usagef("--scopes is required")
			}
			return e.with(service.Config{PublicURL: publicURL}, func(s *session) error {
				u, err := s.user(user)
				if err != nil {
					return err
				}
				t, err := s.svc.IssueTokens(s.ctx, s.actor, u.ID, scopes, refresh)
				if err != nil {
					return err
				}
				return printTokens(e, t, asJSON)
			})
		},
	}
	c.Flags().StringVar(&user, "user", "", "e-mail of the token's user (default: the primary contact)")
	c.Flags().StringVar(&scopes, "scopes", "", scopesHelp)
	c.Flags().BoolVar(&refresh, "refresh", false, "also mint a refresh token")
	c.Flags().StringVar(&publicURL, "public-url", "", publicURLHelp("api_domain"))
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object with Zoho's keys")
	return c
}

func printTokens(e *env, t *service.Tokens, asJSON bool) error {
	if asJSON {
		out := map[string]any{"access_token": t.AccessToken, "api_domain": t.APIDomain,
			"token_type": "Bearer", "expires_in": t.ExpiresIn, "scope": t.Scopes}
		if t.RefreshToken != "" {
			out["refresh_token"] = t.RefreshToken
		}
		return printJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "access_token:  %s\n", t.AccessToken)
	if t.RefreshToken != "" {
		fmt.Fprintf(e.stdout, "refresh_token: %s\n", t.RefreshToken)
	}
	fmt.Fprintf(e.stdout, "expires_in:    %d\nscope:         %s\napi_domain:    %s\n", t.ExpiresIn, t.Scopes, t.APIDomain)
	return nil
}

func tokenRevokeCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "revoke TOKEN",
		Short: "Revoke a refresh token (with its access tokens) or an access token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.with(service.Config{}, func(s *session) error {
				ok, err := s.svc.Revoke(s.ctx, s.actor, args[0])
				if err != nil {
					return err
				}
				if !ok {
					return crmguard.NewError(crmguard.CodeInvalidToken, "no live token matches", nil)
				}
				if asJSON {
					// Not the token: the caller has it, and output ends up in logs.
					return printJSON(e.stdout, map[string]any{"revoked": true})
				}
				fmt.Fprintln(e.stdout, "revoked")
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
