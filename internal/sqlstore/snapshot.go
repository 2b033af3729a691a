package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
)

// A snapshot is logical: every table's rows as JSON-friendly values, read
// from the schema itself (sqlite_master, table_info), so a table a later
// migration adds is included without a change here. schema_migrations is
// left out (it describes the schema, which the snapshot's SchemaVersion
// pins), so is settings (it describes the installation, such as the URL
// the server answers on, not the org's state), and so are SQLite's own
// tables; sqlite_sequence is rebuilt from the restored rows.

var _ crmguard.Snapshotter = (*Store)(nil)

// errSnapshotsNeedSQLite refuses snapshots on PostgreSQL: they read the
// schema from SQLite's catalogue and are made for the emulator, which runs
// on SQLite (in memory, as crmguardtest starts it, or on a file).
var errSnapshotsNeedSQLite = errors.New("snapshots, reset and import need the SQLite store; this server runs on PostgreSQL")

// column is one column of a table, as SQLite declares it.
type column struct {
	name    string
	typ     string // INTEGER, TEXT, BLOB (declared type, upper-cased)
	notNull bool
	pk      int // position in the primary key, from 1; 0 when not in it
}

// tables lists the application's tables and their columns, by name.
func tables(ctx context.Context, q querier) (map[string][]column, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN ('schema_migrations', 'settings') ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string][]column, len(names))
	for _, n := range names {
		cr, err := q.QueryContext(ctx, `SELECT name, upper(type), "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, n)
		if err != nil {
			return nil, err
		}
		for cr.Next() {
			var c column
			if err := cr.Scan(&c.name, &c.typ, &c.notNull, &c.pk); err != nil {
				cr.Close()
				return nil, err
			}
			out[n] = append(out[n], c)
		}
		cr.Close()
		if err := cr.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// schemaVersion is the number of the newest migration applied.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	v := 0
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return 0, err
		}
		num, _, _ := strings.Cut(s, "_")
		if n, err := strconv.Atoi(num); err == nil && n > v {
			v = n
		}
	}
	return v, rows.Err()
}

// layoutOnly are the migrations that change how SQLite stores the data and
// nothing a snapshot holds: the same tables, columns and values (0016 made
// a stored column virtual and indexed it; snapshots leave generated
// columns out).
var layoutOnly = map[int]bool{16: true}

// sameShape reports whether a snapshot taken at schema version from holds
// what one taken at version to would: the same version, or an older one
// whose later migrations are all layoutOnly.
func sameShape(from, to int) bool {
	if from > to || from < 1 {
		return false
	}
	for v := from + 1; v <= to; v++ {
		if !layoutOnly[v] {
			return false
		}
	}
	return true
}

// Snapshot reads every table in one read transaction, so the snapshot is
// one consistent state even while writes go on.
func (s *Store) Snapshot(ctx context.Context) (*crmguard.Snapshot, error) {
	if s.pg != nil {
		return nil, errSnapshotsNeedSQLite
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, mapErr(err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	ver, err := schemaVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	tabs, err := tables(ctx, tx)
	if err != nil {
		return nil, err
	}
	snap := &crmguard.Snapshot{Format: crmguard.SnapshotFormat, SchemaVersion: ver, Tables: make(map[string]*crmguard.SnapshotTable, len(tabs))}
	for name, cols := range tabs {
		t := &crmguard.SnapshotTable{Columns: make([]string, len(cols)), Rows: [][]any{}}
		for i, c := range cols {
			t.Columns[i] = c.name
		}
		// Rows in primary-key order, so two exports of one state are the
		// same bytes however the rows were written (a restore rewrites only
		// the rows that differ, which moves their rowids).
		rows, err := tx.QueryContext(ctx, `SELECT "`+strings.Join(t.Columns, `", "`)+`" FROM "`+name+`" ORDER BY `+orderBy(cols))
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			t.Rows = append(t.Rows, vals)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(err)
		}
		snap.Tables[name] = t
	}
	return snap, nil
}

// orderBy is the primary key's columns, or rowid for a table without one.
func orderBy(cols []column) string {
	var pk []string
	for n := 1; ; n++ {
		found := false
		for _, c := range cols {
			if c.pk == n {
				pk, found = append(pk, `"`+c.name+`"`), true
			}
		}
		if !found {
			break
		}
	}
	if len(pk) == 0 {
		return "rowid"
	}
	return strings.Join(pk, ", ")
}
