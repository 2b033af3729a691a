// Package web is crmguard's shared HTTP plumbing: the adapter that lets
// handlers return errors, Zoho-shaped JSON and error bodies, client-IP
// resolution, request IDs, access logs, panic recovery and metrics by route
// pattern. It knows no resource and no use case, so it must not import the
// service or anything above it.
//
// Imports: crmguard.
package web
