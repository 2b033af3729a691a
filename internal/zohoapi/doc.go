// Package zohoapi serves Zoho CRM's REST API under /crm/{version}/: routes.go
// lists every route with the scope it needs; each resource has its own
// file. Every route passes the access pipeline (guard.Guard) before its
// handler runs; errors are answered in Zoho's envelope by one mapper.
//
// It must not import a store or another transport.
//
// Imports: crmguard, internal/access, internal/criteria, internal/guard, internal/service, internal/web.
package zohoapi
