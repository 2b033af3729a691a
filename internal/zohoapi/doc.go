// Package zohoapi serves Zoho CRM's REST API under /crm/{version}/: routes.go
// lists every route with the scope it needs; each resource has its own
// file. Every route passes the access pipeline (guard.Guard) before its
// handler runs; errors are answered in Zoho's envelope by one mapper.
//
// It imports the module root, internal/access, internal/service,
// internal/guard and internal/web; never a store.
package zohoapi
