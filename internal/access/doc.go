// Package access holds crmguard's pure authorization decisions: which route
// scopes a token's scope string covers, which IP ranges bind a user, and the
// API limits of an edition. It does no I/O and imports only the module root.
package access
