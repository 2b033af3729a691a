// Package sqlstore is the one crmguard.Store: SQLite (embedded, the default)
// with per-dialect embedded migrations, so that a PostgreSQL dialect is a new
// migrations folder and placeholder rebinding, not a new design.
//
// It maps driver error codes to crmguard.ErrNotFound and ErrConflict and
// holds no authorization logic. It imports only the module root.
package sqlstore
