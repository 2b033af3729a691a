// Package web is crmguard's shared HTTP plumbing: the adapter that lets
// handlers return errors, Zoho-shaped JSON and error bodies, client-IP
// resolution, request IDs, access logs, panic recovery and metrics by route
// pattern. It imports only the module root.
package web
