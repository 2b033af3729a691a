// Package oauth is crmguard's Zoho Accounts side: /oauth/v2/auth (login and
// consent pages), /oauth/v2/token (one file per grant type) and
// /oauth/v2/token/revoke. The pipeline that checks an access token on
// every API request is internal/guard's, not this package's.
//
// It imports the module root, internal/access (which scopes exist),
// internal/service and internal/web; never a store implementation or
// another transport.
package oauth
