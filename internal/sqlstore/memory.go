package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
)

// OpenMemory opens a new, empty database that lives only in this process's
// memory and vanishes when the store is closed: for throwaway servers in
// tests and CI, which then write no file at all.
//
// The store's writer and its reader pool must see one database, so each
// connection cannot have its own ":memory:". SQLite's memdb VFS shares a
// database between the connections that open the same name starting with
// "/" and locks it as a file is locked (shared-cache mode would instead
// fail at once with SQLITE_LOCKED). memdb has no WAL, so readers and the
// writer take turns; they take them at the store's gate (gate.go), without
// the sleeps of SQLite's busy handler. The name is random so that any
// number of stores open side by side in one process (parallel tests).
func OpenMemory(ctx context.Context, opts ...Option) (*Store, error) {
	o := options{busyTimeout: DefaultBusyTimeout}
	for _, f := range opts {
		f(&o)
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	o.query = url.Values{"vfs": {"memdb"}}
	o.gated = true
	return open(ctx, "file:/crmguard-"+hex.EncodeToString(b[:]), o, "in-memory database")
}
