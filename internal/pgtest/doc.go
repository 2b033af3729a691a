// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the database CRMGUARD_TEST_POSTGRES names, dropped when the
// test ends. Without that variable the test is skipped with a message; CI
// always sets it, so there nothing skips.
//
// Imports: none.
package pgtest
