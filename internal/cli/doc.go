// Package cli is crmguard's command line: every subcommand. serve starts
// the whole server through internal/server's Open; the administrative
// commands (users, profiles, roles, fields, clients, tokens, IP rules, seed,
// audit, migrate) open the same store (the SQLite file in --data-dir, or
// the PostgreSQL database or SQLite file --database names) and call the
// same service the API calls, so a rule holds whichever way a change
// arrives. Each command accepts --help; flags also read CRMGUARD_*
// environment variables (--data-dir from CRMGUARD_DATA_DIR, --database
// from CRMGUARD_DATABASE, and so on); no printed line carries a database
// password. Nothing but cmd/crmguard imports it.
//
// Imports: crmguard, internal/access, internal/emulator, internal/guard, internal/seedfile, internal/server, internal/service, internal/sqlstore, internal/web, internal/zohoapi.
package cli
