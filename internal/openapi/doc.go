// Package openapi builds crmguard's OpenAPI 3.1 description: every Zoho CRM
// API route from zohoapi's route table with its scope as the security
// requirement, the Zoho Accounts OAuth endpoints, the operational routes
// (health, readiness, metrics, this document) and the emulator's control
// routes under their own tag. The server serves it at GET /openapi.json and
// docs/openapi.json holds a copy a test keeps equal to what Document builds.
//
// It only describes; it serves nothing and must not import the transports'
// handlers, the service or a store.
//
// Imports: internal/zohoapi.
package openapi
