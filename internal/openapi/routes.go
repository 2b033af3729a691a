package openapi

// Route is one documented operation outside zohoapi's route table. The
// tables below are checked against the handler tree by a test (each
// pattern must be registered as written, and each literal pattern the
// transports register must be here), so they cannot drift silently.
type Route struct {
	Method, Path string
	Tag          string
	Summary      string
	// Auth is how the caller proves who it is: "" (nobody),
	// "client" (client_id and client_secret in the form),
	// "session" (the accounts sign-in cookie), "emulator" (X-Emulator-Key)
	// or "token" (an access token).
	Auth string
	// Form lists the form parameters of a POST, in the order Zoho's pages
	// give them; Query those of a GET.
	Form, Query []string
	// HTML marks a page for a browser rather than a JSON endpoint.
	HTML bool
	// Body names the JSON request body's schema, if any; Response the
	// success response's ("" is a generic JSON object).
	Body, Response string
}

// Tags of the document, in the order a reader meets them.
const (
	TagOAuth     = "OAuth"
	TagInvite    = "Invitations"
	TagOps       = "Operations"
	TagEmulator  = "Emulator"
	tagUsers     = "Users"
	tagOrg       = "Org"
	tagProfiles  = "Profiles"
	tagRoles     = "Roles"
	tagFields    = "Fields"
	emulatorAuth = "emulator"
	// userInfoAuth is an access token, as the API takes it, with the one
	// scope Zoho Accounts' GET /oauth/user/info needs.
	userInfoAuth  = "token"
	userInfoScope = "AaaServer.profile.READ"
)

// oauthRoutes are Zoho Accounts' endpoints as internal/oauth registers them.
// https://www.zoho.com/crm/developer/docs/api/v8/oauth-overview.html
var oauthRoutes = []Route{
	{Method: "POST", Path: "/oauth/v2/token", Tag: TagOAuth, Auth: "client", Response: "TokenResponse",
		Summary: "Exchange a grant code, refresh a token or use client credentials",
		Form:    []string{"grant_type", "client_id", "client_secret", "code", "redirect_uri", "code_verifier", "refresh_token", "scope", "soid"}},
	{Method: "POST", Path: "/oauth/v2/token/revoke", Tag: TagOAuth,
		Summary: "Revoke a refresh or access token", Form: []string{"token"}},
	{Method: "GET", Path: "/oauth/v2/auth", Tag: TagOAuth, HTML: true,
		Summary: "Authorization page: sign in and consent",
		Query:   []string{"response_type", "client_id", "scope", "redirect_uri", "access_type", "prompt", "state", "code_challenge", "code_challenge_method"}},
	{Method: "POST", Path: "/oauth/v2/auth/login", Tag: TagOAuth, HTML: true,
		Summary: "Sign-in form of the authorization page", Form: []string{"q", "csrf", "email", "password"}},
	{Method: "POST", Path: "/oauth/v2/auth/password", Tag: TagOAuth, HTML: true,
		Summary: "Change a one-time password during sign-in", Form: []string{"q", "csrf", "email", "current", "next", "confirm"}},
	{Method: "POST", Path: "/oauth/v2/auth/consent", Tag: TagOAuth, HTML: true, Auth: "session",
		Summary: "Accept or deny the client's request", Form: []string{"q", "csrf", "action"}},
	{Method: "GET", Path: "/oauth/user/info", Tag: TagOAuth, Auth: userInfoAuth,
		Summary: "The token's user: First_Name, Email, Last_Name, Display_Name and ZUID (a number)"},
	{Method: "GET", Path: "/invite/{token}", Tag: TagInvite, HTML: true,
		Summary: "Invitation or password-reset page"},
	{Method: "POST", Path: "/invite/{token}", Tag: TagInvite, HTML: true,
		Summary: "Set the password of an invitation or reset link", Form: []string{"password", "confirm"}},
}

// opsRoutes are the routes internal/server adds for operators.
var opsRoutes = []Route{
	{Method: "GET", Path: "/healthz", Tag: TagOps, Summary: "Liveness: the process answers", Response: "text"},
	{Method: "GET", Path: "/readyz", Tag: TagOps, Summary: "Readiness: start-up (seed, import) is done and the database answers; 503 until then", Response: "text"},
	{Method: "GET", Path: "/metrics", Tag: TagOps, Summary: "Prometheus metrics (absent here when served on --metrics-addr)", Response: "metrics"},
	{Method: "GET", Path: "/openapi.json", Tag: TagOps, Summary: "This document", Response: "openapi"},
}
