// Package access holds crmguard's pure authorization decisions: which route
// scopes a token's scope string covers, which IP ranges bind a user, and the
// API limits of an edition. It does no I/O, so it must not import the
// service, a store or anything that serves HTTP.
//
// Imports: crmguard.
package access
