// Package service holds crmguard's use cases: validate, authorize, change,
// and append the audit event in the same transaction as the change. Every
// transport (API, OAuth, console, CLI) goes through it, so a rule lives in
// one place.
//
// It also owns the change epoch (epoch.go): a number that moves after every
// committed change and, through Watch, after changes other processes made
// to the same store. Caches anywhere compare it, or Subscribe to it, to
// know that what they hold is current.
//
// It works on a crmguard.Store it is given and takes seed files parsed by
// internal/seedfile (ApplySeed). It must not import a store
// implementation, the request pipeline (internal/guard) or a transport.
//
// Imports: crmguard, internal/access, internal/criteria, internal/seedfile.
package service
