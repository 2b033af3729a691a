package crmguard

import "time"

// Client types, as Zoho's API console names them.
const (
	ClientSelf   = "self_client"
	ClientServer = "server_based"
)

// Client is a registered OAuth client. The secret is kept only as a hash.
type Client struct {
	ID           ID // row id
	OrgID        ID
	ClientID     string // the public "1000.XXXX" identifier
	SecretHash   []byte // SHA-256 of the secret
	Name         string
	Type         string
	RedirectURIs []string
	CreatedBy    ID
	CreatedTime  time.Time
}

// Grant is a single-use authorization code (from /oauth/v2/auth or a Self
// Client "Generate Code"). Only its hash is stored.
type Grant struct {
	ID                  ID
	OrgID               ID
	CodeHash            []byte
	ClientID            string
	UserID              ID
	Scopes              string // comma-separated, as requested
	RedirectURI         string
	CodeChallenge       string
	CodeChallengeMethod string
	Offline             bool // access_type=offline: the exchange also mints a refresh token
	ExpiresAt           time.Time
	UsedAt              *time.Time
	CreatedTime         time.Time
}

// RefreshToken never expires until revoked.
type RefreshToken struct {
	ID          ID
	OrgID       ID
	TokenHash   []byte
	ClientID    string
	UserID      ID
	Scopes      string
	GrantID     ID // the authorization code it came from; 0 when none
	RevokedAt   *time.Time
	LastUsed    *time.Time
	CreatedTime time.Time
}

// AccessToken lives for an hour. RefreshID is 0 when it was minted without a
// refresh token (client credentials, online access, CLI issue).
type AccessToken struct {
	ID          ID
	OrgID       ID
	TokenHash   []byte
	RefreshID   ID
	ClientID    string
	UserID      ID
	Scopes      string
	GrantID     ID // the authorization code it came from, directly or through its refresh token; 0 when none
	ExpiresAt   time.Time
	RevokedAt   *time.Time
	CreatedTime time.Time
}

// Live reports whether the token may still be used at t.
func (t *AccessToken) Live(at time.Time) bool { return t.RevokedAt == nil && at.Before(t.ExpiresAt) }

// OAuth error codes, answered by /oauth/v2/token as {"error": code} with
// HTTP 200, as Zoho Accounts does.
const (
	OAuthInvalidCode          = "invalid_code"
	OAuthInvalidClient        = "invalid_client"
	OAuthInvalidClientSecret  = "invalid_client_secret"
	OAuthInvalidRedirectURI   = "invalid_redirect_uri"
	OAuthUnsupportedGrantType = "unsupported_grant_type"
	OAuthAccessDenied         = "access_denied"
	OAuthMissingOrgInfo       = "missing_org_info"
	OAuthInvalidScope         = "invalid_scope"
	OAuthInvalidRequest       = "invalid_request"
)

// OAuthError is a Zoho Accounts OAuth error.
type OAuthError struct {
	Code string
	// Description is for logs and CLI messages; the token endpoint sends
	// only the code, as Zoho does.
	Description string
}

func (e *OAuthError) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}
