package zohoapi_test

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestDenialHints: a refused token or a missing scope keeps Zoho's status,
// code and body (the pipeline's golden files, compared again here) and
// adds the hint in headers: an RFC 6750 challenge naming the scheme
// accepted and, for a scope mismatch, the scope needed and the token's.
func TestDenialHints(t *testing.T) {
	testenv.EachBackend(t, denialHints)
}

func denialHints(t *testing.T, b testenv.Backend) {
	env := testenv.New(t, testenv.Options{Backend: b, Demo: true})
	const realm = `Zoho-oauthtoken realm="crmguard"`
	badToken := realm + `, error="invalid_token", error_description="the access token is unknown, expired or revoked"`
	expired := env.Token(t, "", allScopes)
	cases := []struct {
		name, path, token string
		header            []string
		before            func()
		challenge, scopes string
	}{
		{name: "02_no_header", path: "/crm/v8/org", challenge: realm},
		{name: "02_wrong_scheme", path: "/crm/v8/org", header: []string{"Authorization", "Basic " + env.Token(t, "", allScopes)},
			challenge: realm + `, error="invalid_token", error_description="send the header as Authorization: Zoho-oauthtoken <access token> or Authorization: Bearer <access token>"`},
		{name: "02_unknown_token", path: "/crm/v8/org", token: "1000.00000000000000000000000000000000.00000000000000000000000000000000", challenge: badToken},
		{name: "06_scope_mismatch", path: "/crm/v8/org", token: env.Token(t, salesUser, "ZohoCRM.users.READ,ZohoCRM.settings.roles.ALL"),
			challenge: realm + `, error="insufficient_scope", scope="ZohoCRM.org.READ"`, scopes: "ZohoCRM.users.READ ZohoCRM.settings.roles.ALL"},
		// Denials past the token and scope steps carry no challenge.
		{name: "05_no_api_access", path: "/crm/v8/org", token: env.Token(t, standardUser, "ZohoCRM.users.READ")},
		{name: "02_expired_token", path: "/crm/v8/org", token: expired, before: func() { env.Clock.Advance(61 * time.Minute) }, challenge: badToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before()
			}
			resp := env.Do(t, "GET", c.path, c.token, "", c.header...)
			if got := resp.Header.Values("WWW-Authenticate"); c.challenge == "" && len(got) != 0 || c.challenge != "" && (len(got) != 1 || got[0] != c.challenge) {
				t.Errorf("WWW-Authenticate = %q, want %q", got, c.challenge)
			}
			if got := resp.Header.Get("X-Crmguard-Token-Scopes"); got != c.scopes {
				t.Errorf("X-Crmguard-Token-Scopes = %q, want %q", got, c.scopes)
			}
			testenv.GoldenResponse(t, "pipeline/"+c.name, resp)
		})
	}
}
