package crmguard

import "context"

// Snapshot is the whole stored state of one installation, table by table,
// in a form no engine owns: each table's column names and its rows as JSON
// values (text, numbers, booleans, null; blobs as base64 text, which the
// store turns back into bytes by the column's type). It is what the
// emulator saves, restores, exports and imports, so a snapshot written by
// one crmguard reads back in another of the same schema version.
type Snapshot struct {
	// Format names the document, so that a stranger's JSON is refused
	// before any of it is read as rows.
	Format string `json:"format"`
	// SchemaVersion is the number of the newest migration applied to the
	// store the snapshot came from; a store refuses a snapshot of another
	// version rather than guessing how columns moved, except an older one
	// whose later migrations changed only how the data is stored.
	SchemaVersion int `json:"schema_version"`
	// Tables maps a table name to its rows.
	Tables map[string]*SnapshotTable `json:"tables"`
}

// SnapshotFormat is the Format of every snapshot this version writes.
const SnapshotFormat = "crmguard-snapshot/1"

// SnapshotTable is one table's columns, in order, and its rows, each with
// one value per column.
type SnapshotTable struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Snapshotter takes and restores snapshots of a store. Restore replaces
// everything the store holds with the snapshot in one transaction: a
// snapshot it cannot apply (another format or schema version, an unknown
// table or column, a row that breaks a constraint) is refused and leaves
// the store as it was.
type Snapshotter interface {
	Snapshot(ctx context.Context) (*Snapshot, error)
	Restore(ctx context.Context, s *Snapshot) error
}
