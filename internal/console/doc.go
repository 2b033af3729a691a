// Package console is the administrators' web console at /console:
// server-rendered pages (html/template, embedded), working without
// JavaScript. Every action goes through the service, audited with source
// "console". It must not import a store or another transport.
//
// Imports: crmguard, internal/criteria, internal/service, internal/web.
package console
