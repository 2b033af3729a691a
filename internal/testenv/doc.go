// Package testenv starts the whole crmguard stack for this module's own
// tests: a real SQLite file in a temp directory, a bootstrapped org, the
// service, the pipeline and every transport behind a real HTTP server on
// loopback, started through internal/server's Open. No mocks. It also
// holds the golden-file helpers (golden.go). Only tests import it.
//
// Imports: crmguard, internal/guard, internal/pgtest, internal/server, internal/service, internal/sqlstore, internal/web.
package testenv
