// Package server composes crmguard's handler tree (API, OAuth, health,
// metrics) and owns the http.Server's start and graceful stop. It imports the
// transports, the service and web; never a store implementation.
package server
