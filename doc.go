// Package crmguard is the vocabulary of the crmguard server: orgs, users,
// profiles and their permissions, roles, OAuth clients, grants and tokens,
// IP rules and audit events; the Store contract every backend implements;
// and Error, which carries a Zoho error code to the transports.
//
// Every other package of the module imports it, so it must import none of
// them. Decisions (does a profile grant X, do scopes cover a route) live in
// internal/access; use cases in internal/service; storage in
// internal/sqlstore.
//
// Imports: none.
package crmguard
