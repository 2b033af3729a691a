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
// It imports the module root, internal/access and internal/seedfile (the
// parsed seed document ApplySeed takes), never a transport or a
// store implementation.
package service
