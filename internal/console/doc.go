// Package console is the administrators' web console at /console:
// server-rendered pages (html/template, embedded), working without
// JavaScript. Every action goes through the service, audited with source
// "console". It imports the root, service and web packages, never storage.
package console
