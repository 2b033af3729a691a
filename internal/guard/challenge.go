package guard

import (
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/service"
)

// Zoho answers a refused token or a missing scope with a code and a
// message that name neither the scheme it wants nor the scope a route
// needs, and those bodies must stay Zoho's. The hint goes in headers
// instead: a WWW-Authenticate challenge in the form of RFC 6750 §3 (in
// Zoho's scheme; a malformed header is told both schemes accepted, see
// scheme.go), and on OAUTH_SCOPE_MISMATCH the
// token's own scopes, so a caller sees both sides of the mismatch.

// Realm names the protection space in every challenge.
const Realm = "crmguard"

// HeaderTokenScopes lists, space-separated as RFC 6749 §3.3 writes a
// scope, the scopes of a token refused for lacking one.
const HeaderTokenScopes = "X-Crmguard-Token-Scopes"

const challengePrefix = "Zoho-oauthtoken realm=\"" + Realm + "\""

// withChallenge is e with a WWW-Authenticate header set to challenge.
func withChallenge(e *crmguard.Error, challenge string) *crmguard.Error {
	c := *e
	c.Header = http.Header{"Www-Authenticate": {challenge}}
	return &c
}

var (
	// A request without credentials gets the bare challenge: RFC 6750
	// §3.1 asks for no error code when none were sent.
	errNoAuthHint = withChallenge(errNoAuth, challengePrefix)
	// The Authorization header is there but in neither scheme.
	errMalformedHint = withChallenge(service.ErrInvalidToken, challengePrefix+
		`, error="invalid_token", error_description="send the header as Authorization: Zoho-oauthtoken <access token> or Authorization: Bearer <access token>"`)
	// The scheme is right but the token is not one the server honours.
	// Forged and unknown tokens read alike, so the header is no oracle.
	errBadTokenHint = withChallenge(service.ErrInvalidToken, challengePrefix+
		`, error="invalid_token", error_description="the access token is unknown, expired or revoked"`)
)

// tokenHint returns the denial the token step answers err with: Zoho's
// error, with a challenge when the token was missing or refused. Other
// errors (a store failure) pass unchanged.
func tokenHint(err error, why string) error {
	ze, ok := crmguard.AsError(err)
	if !ok {
		return err
	}
	switch {
	case ze.Code == crmguard.CodeAuthenticationFailure:
		return errNoAuthHint
	case ze.Code != crmguard.CodeInvalidToken:
		return err
	case why == whyMalformed:
		return errMalformedHint
	}
	return errBadTokenHint
}

// scopeDenial is OAUTH_SCOPE_MISMATCH with the scope the route needs and
// the scopes the token has.
func scopeDenial(scope access.RouteScope, p *crmguard.Principal) *crmguard.Error {
	e := withChallenge(errScope, challengePrefix+`, error="insufficient_scope", scope="`+scope.String()+`"`)
	has := strings.Join(strings.FieldsFunc(p.Scopes, func(r rune) bool { return r == ',' || r == ' ' }), " ")
	e.Header[HeaderTokenScopes] = []string{has}
	return e
}
