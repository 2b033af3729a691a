// Package crmguard is the vocabulary of the crmguard server: orgs, users,
// profiles and their permissions, roles, OAuth clients, grants and tokens,
// IP rules and audit events; the Store contract every backend implements;
// and Error, which carries a Zoho error code to the transports.
//
// It imports no other package of this module. Decisions (does a profile grant
// X, do scopes cover a route) live in internal/access; use cases in
// internal/service; storage in internal/sqlstore.
package crmguard
