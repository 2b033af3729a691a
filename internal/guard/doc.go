// Package guard is the per-request access pipeline of the Zoho CRM API. For
// each request it runs, in order, the checks Zoho applies, and stops at the
// first that fails, saying why in Zoho's words:
//
//  1. the route exists (the router's job, before the guard runs);
//  2. the Authorization header carries a genuine, live access token,
//     resolved to a principal;
//  3. the user is active;
//  4. the request comes from an address the org's IP rules allow;
//  5. the user's profile grants API access;
//  6. the token's scopes cover the route;
//  7. the org's daily API credits and the client's concurrency limit;
//  8. the handler's own permission check, after which a refused call gives
//     its credit back (Ticket.Refund).
//
// A caller that wants to know why (the emulator's request journal) puts a
// Decision in the request's context; the pipeline then records the step
// that allowed or denied the call and a reason in words, and the API
// records step 8 through Refused. Without one, nothing is formatted.
//
// Principals are cached by token hash and tagged with the service's change
// epoch: any change, here or in another process (see service.Watch), makes
// every entry stale on the very next request. A warm request does one map
// lookup, no password hashing and no database read; a forged token fails
// its check value before any read.
//
// It must not import a store implementation or a transport (zohoapi,
// oauth, console), which import it instead.
//
// Imports: crmguard, internal/access, internal/service, internal/web.
package guard
