// Package storetest is the conformance suite of crmguard.Store: one set of
// tests, typed on the interface, that every backend must pass. Run takes a
// function that opens a fresh, empty, migrated store and checks each
// method's documented contract: the ErrNotFound and ErrConflict sentinels,
// case-insensitive uniqueness, the orderings the comments promise, every
// field read back as written, single use, revocation cascades and
// transactions. internal/sqlstore runs it on SQLite always and on
// PostgreSQL when CRMGUARD_TEST_POSTGRES is set.
//
// It tests the contract, not a backend, so it must import no store and
// nothing above the root package; a backend's own quirks stay in its own
// tests.
//
// Imports: crmguard.
package storetest
