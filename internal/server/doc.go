// Package server is the one place that builds the whole of crmguard: Open
// opens the store, makes sure an org exists, seeds the demo if asked, wires
// the service, the request pipeline and every transport (API, OAuth,
// console, health, metrics) into one handler tree, and runs the watcher
// that keeps the caches in step with other processes' writes. The CLI's
// serve, the test environment and the load tool all start through it. It
// also owns the http.Server's start and graceful stop (Serve).
//
// It imports the packages below it and must not import internal/cli,
// internal/testenv or crmguardtest, which start through it.
//
// Imports: crmguard, internal/console, internal/emulator, internal/guard, internal/oauth, internal/openapi, internal/seedfile, internal/service, internal/sqlstore, internal/web, internal/zohoapi.
package server
