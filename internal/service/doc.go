// Package service holds crmguard's use cases: validate, authorize, change,
// and append the audit event in the same transaction as the change. Every
// transport (API, OAuth, console, CLI) goes through it, so a rule lives in
// one place. It imports the module root and internal/access, never a
// transport or a store implementation.
package service
