// Package cli is crmguard's command line: every subcommand. serve starts
// the whole server through internal/server's Open; the administrative
// commands (users, profiles, roles, fields, clients, tokens, IP rules, seed,
// audit, migrate) open the data directory's SQLite store and call the same
// service the API calls, so a rule holds whichever way a change arrives.
// Each command accepts --help; flags also read CRMGUARD_* environment
// variables (--data-dir from CRMGUARD_DATA_DIR, and so on). Nothing but
// cmd/crmguard imports it.
//
// Imports: crmguard, internal/access, internal/emulator, internal/guard, internal/seedfile, internal/server, internal/service, internal/sqlstore, internal/web, internal/zohoapi.
package cli
