package cli

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/spf13/cobra"
)

// Where the commands keep their data: --database names it (a postgres://
// URL, or a SQLite file), else it is crmguard.db in --data-dir. A
// PostgreSQL URL may carry a password; nothing the CLI prints does.

// keyValueDSN matches a libpq connection string ("host=db dbname=crm"):
// a known keyword, then '='.
var keyValueDSN = regexp.MustCompile(`(^|\s)(host|hostaddr|port|dbname|user|password|sslmode|service|passfile|connect_timeout|application_name|options)\s*=`)

// databaseHelp is the --database flag's help.
const databaseHelp = "database URL: a postgres:// URL for PostgreSQL, else the SQLite file (default: " + dbFile + " in --data-dir)"

// dbPath is the database the commands open.
func (e *env) dbPath() string {
	if e.database != "" {
		return e.database
	}
	return filepath.Join(e.dataDir, dbFile)
}

// postgres reports whether the commands work on PostgreSQL.
func (e *env) postgres() bool { return sqlstore.IsPostgres(e.database) }

// dbName names the database for a message: the data directory (the
// default), the SQLite file --database names, or the PostgreSQL URL
// without its password.
func (e *env) dbName() string {
	switch {
	case e.database == "":
		return e.dataDir
	case e.postgres():
		return sqlstore.RedactDSN(e.database)
	}
	return e.database
}

// dbDesc is dbName in a phrase: "database in DIR", "database FILE" or
// "database postgres://...".
func (e *env) dbDesc() string {
	if e.database == "" {
		return "database in " + e.dataDir
	}
	return "database " + e.dbName()
}

// dbFlag is what a printed command needs to reach this database: none for
// the default data directory; --database with the file or the URL; and,
// for a URL with a password, which is never printed, the variable that
// holds it (dbNote says so). An empty --database is refused rather than
// taken as the default, so that with the variable unset the printed
// command fails instead of opening another database.
func (e *env) dbFlag() string {
	switch {
	case e.database == "":
		if e.dataDir == "./crmguard-data" {
			return ""
		}
		return " --data-dir " + shellQuote(e.dataDir)
	case e.postgres() && sqlstore.HasPassword(e.database):
		return ` --database "$CRMGUARD_DATABASE"`
	}
	return " --database " + shellQuote(e.database)
}

// dbNote is the line that goes with printed commands whose dbFlag is the
// variable; "" otherwise.
func (e *env) dbNote() string {
	if !e.postgres() || !sqlstore.HasPassword(e.database) {
		return ""
	}
	return "  (set CRMGUARD_DATABASE to this database's URL with its password, which is not shown: " + sqlstore.RedactDSN(e.database) + ")\n"
}

// checkDatabase refuses a --database given but empty (as a printed
// command's "$CRMGUARD_DATABASE" is with the variable unset), which would
// otherwise open the data directory's database instead; a PostgreSQL
// connection string in libpq's key=value form, which would otherwise be
// taken for a SQLite file name (and printed, password and all); and a
// PostgreSQL URL that does not parse.
func (e *env) checkDatabase(cmd *cobra.Command) error {
	if f := cmd.Flags().Lookup("database"); f != nil && f.Changed && strings.TrimSpace(e.database) == "" {
		return usagef("--database is empty: give a postgres:// URL or a SQLite file, or leave the flag out for %s in --data-dir (is CRMGUARD_DATABASE set?)", dbFile)
	}
	if !e.postgres() && keyValueDSN.MatchString(e.database) {
		return usagef("--database looks like a key=value PostgreSQL connection string, which crmguard does not take: give a postgres://user:password@host/dbname URL, or a SQLite file name without '='")
	}
	if e.postgres() {
		if _, err := url.Parse(e.database); err != nil {
			return usagef("--database: the PostgreSQL URL does not parse (%s)", sqlstore.RedactDSN(e.database))
		}
	}
	return nil
}
