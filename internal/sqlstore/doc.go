// Package sqlstore is the one crmguard.Store: SQLite (embedded, the default)
// with per-dialect embedded migrations, so that a PostgreSQL dialect is a new
// migrations folder and placeholder rebinding, not a new design.
//
// It maps driver error codes to crmguard.ErrNotFound and ErrConflict and
// holds no authorization logic, so it must not import internal/access or
// the service; only the wiring (internal/server, internal/cli, the test
// helpers) imports it.
//
// Imports: crmguard.
package sqlstore
