// Package emulator is crmguard's control API for test suites, served under
// the reserved prefix /__emulator/ (no Zoho route starts with it) and only
// when the server runs with the emulator on. Every route needs the header
// X-Emulator-Key with the key the server printed at start.
//
// It owns: reset to the state the server became ready with, named
// snapshots, export and import of the whole state as one JSON document
// (state.go); the clock the service and the pipeline read, which tests can
// freeze, set and advance (clock.go); and the middleware that wraps the
// handler tree (Wrap): injected faults, matched by method, route, path,
// user, client or token (faults.go), and the journal of the latest
// requests with the pipeline's account of each (journal.go). It drives
// the rest of the server through the service and a crmguard.Snapshotter,
// never through a store implementation.
//
// Imports: crmguard, internal/guard, internal/seedfile, internal/service, internal/web.
package emulator
