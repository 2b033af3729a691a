// Package oauth is crmguard's Zoho Accounts side: /oauth/v2/auth (login and
// consent pages), /oauth/v2/token (one file per grant type) and
// /oauth/v2/token/revoke; and the Guard, the per-request access pipeline
// that turns an access token into a principal through an in-memory cache
// that any change invalidates.
//
// It imports the module root, internal/access, internal/service and
// internal/web; never a store implementation or another transport.
package oauth
