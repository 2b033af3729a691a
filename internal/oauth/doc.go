// Package oauth is crmguard's Zoho Accounts side: /oauth/v2/auth (login and
// consent pages), /oauth/v2/token (one file per grant type) and
// /oauth/v2/token/revoke, and /oauth/user/info (who the token's user is).
// The pipeline that checks an access token on
// every API request is internal/guard's, not this package's.
//
// It asks internal/access which scopes exist and the service for every
// decision; it must not import a store implementation or another
// transport.
//
// Imports: crmguard, internal/access, internal/guard, internal/service, internal/web.
package oauth
