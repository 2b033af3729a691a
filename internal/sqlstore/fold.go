package sqlstore

import (
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// SQLite's own lower() folds ASCII letters only, so a role, territory or
// user group named "ÉQUIPE" sat beside "équipe" on SQLite while PostgreSQL
// (whose lower() follows the database's locale) refused it. The store
// replaces lower() on its SQLite connections with Go's Unicode folding,
// the one it already uses for e-mails and profile names; migration 0014
// rebuilds the indexes built on the old one.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default:
			return v, nil // NULL and numbers: nothing to fold
		}
	})
}
