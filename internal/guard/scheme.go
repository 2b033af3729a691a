package guard

import (
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
)

// The schemes an access token may be sent with. Zoho's pages show
// "Authorization: Zoho-oauthtoken <token>", and Zoho Accounts documents
// "Bearer <token>" as its equal for GET /oauth/user/info
// (https://www.zoho.com/accounts/protocol/oauth/use-access-token.html).
// Zoho's CRM API honours Bearer too: @dereekb/zoho sends nothing else to
// Zoho CRM, also in its tests against a live Zoho sandbox. RFC 6750 §2.1
// reads the scheme name case-insensitively, as RFC 9110 §11.1 reads every
// auth-scheme.
const (
	schemeZoho   = "Zoho-oauthtoken"
	schemeBearer = "Bearer"
)

// maxToken bounds the token read from the header: crmguard's own are 70
// bytes, and a longer one is not worth hashing.
const maxToken = 256

// AccessToken reads the access token from an Authorization header value
// in either scheme. It reports false when the scheme is another, or the
// token is missing or longer than any token crmguard issues. It does not
// allocate.
func AccessToken(v string) (string, bool) {
	scheme, tok, ok := strings.Cut(v, " ")
	if !ok || !(strings.EqualFold(scheme, schemeZoho) || strings.EqualFold(scheme, schemeBearer)) {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	if len(tok) == 0 || len(tok) > maxToken {
		return "", false
	}
	return tok, true
}

// RequestToken is AccessToken on the request's Authorization header, with
// the denial the API answers when it is missing or malformed: Zoho's
// error, with the RFC 6750 challenge a client can read.
func RequestToken(r *http.Request) (string, error) {
	hv := r.Header["Authorization"]
	if len(hv) == 0 || hv[0] == "" {
		return "", errNoAuthHint
	}
	tok, ok := AccessToken(hv[0])
	if !ok {
		return "", errMalformedHint
	}
	return tok, nil
}

// ErrTokenRefused is the API's answer to a well-formed token that is not
// one the server honours: unknown, forged, expired or revoked alike, so
// the answer is no oracle.
var ErrTokenRefused error = errBadTokenHint

// ScopeDenial is the API's answer to a token that lacks the scope a route
// needs, with a challenge naming it: code and message as the caller gives
// them (Zoho's products word it differently), answered with HTTP 401.
func ScopeDenial(code, message, scope string) *crmguard.Error {
	e := withChallenge(&crmguard.Error{Code: code, Message: message, Status: http.StatusUnauthorized},
		challengePrefix+`, error="insufficient_scope", scope="`+scope+`"`)
	return e
}
