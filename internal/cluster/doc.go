// Package cluster holds tests that run two crmguard instances on one PostgreSQL database.
//
// Each test starts two full stacks (internal/testenv) on the same
// PostgreSQL schema: two instances with their own caches and their own
// LISTEN connection, as behind a load balancer. rules_test.go and
// tokens_test.go drive many concurrent requests split between them and
// check, in the database afterwards, that the org's rules held: the
// licence count, the profile limit, unique names and e-mails, role
// cycles, the token limits and single-use codes. propagation_test.go
// measures how long a change acknowledged by one instance takes to be
// enforced by the other, and checks that the other's warm path reads
// nothing from the database. Without CRMGUARD_TEST_POSTGRES every test
// skips, saying so.
//
// Imports: none.
package cluster
