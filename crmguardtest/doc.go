// Package crmguardtest runs a real crmguard inside a Go test, so code that
// talks to Zoho CRM's Users, Profiles, Roles and Org APIs and to Zoho
// Accounts' OAuth can be tested against the same server its users deploy,
// without a network or a Zoho account.
//
//	srv := crmguardtest.Start(t)
//	req, _ := http.NewRequest("GET", srv.URL+"/crm/v8/users", nil)
//	req.Header.Set("Authorization", "Zoho-oauthtoken "+srv.Token)
//
// Start builds the whole server in the test's process, the same code as
// `crmguard serve`, serves it on a loopback port and stops it when the test
// ends. Each server has its own database, so tests that call t.Parallel
// each start their own. The server has one org, an administrator, a Self
// Client whose ID and secret the test knows, and an access token with every
// scope; helpers mint tokens for other users, add users, switch a profile's
// API access, apply seed files, reset, save and restore snapshots and move
// the server's clock.
//
// The emulator's control API is on, under /__emulator/, with the random key
// in Server.EmulatorKey, so a test can also drive it over HTTP as a test in
// another language would.
//
// Passwords are hashed with bcrypt's minimum cost: the server starts in a
// few milliseconds and nothing it stores outlives the test.
//
// Imports: crmguard, internal/emulator, internal/guard, internal/server, internal/service.
package crmguardtest
