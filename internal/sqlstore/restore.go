package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
)

// Restore makes every table hold exactly the snapshot's rows, in one write
// transaction. The document is checked against the schema first (format,
// schema version, the same tables and columns, each value of its column's
// type), and foreign keys are checked at commit, so rows may come in any
// order; anything wrong rolls the whole restore back.
//
// Only the rows that differ are written: each table's current rows are
// read and matched against the snapshot's whole rows, the unmatched ones
// deleted by rowid and the missing ones inserted. A test suite resets
// after a handful of changes, and reading 10,000 rows costs a fraction of
// deleting and rewriting them with their indexes.
func (s *Store) Restore(ctx context.Context, snap *crmguard.Snapshot) error {
	if s.pg != nil {
		return errSnapshotsNeedSQLite
	}
	if snap == nil {
		return badSnapshot("no snapshot", nil)
	}
	if snap.Format != crmguard.SnapshotFormat {
		return badSnapshot(fmt.Sprintf("format %q is not %q", snap.Format, crmguard.SnapshotFormat), crmguard.Details{"api_name": "format"})
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	ver, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if !sameShape(snap.SchemaVersion, ver) {
		return badSnapshot(fmt.Sprintf("schema version %d; this server's is %d", snap.SchemaVersion, ver), crmguard.Details{"api_name": "schema_version"})
	}
	tabs, err := tables(ctx, tx)
	if err != nil {
		return err
	}
	if err := checkTables(snap, tabs); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	names := make([]string, 0, len(tabs))
	for n := range tabs {
		names = append(names, n)
	}
	sort.Strings(names)
	// Deletes first in every table, then inserts, so a row that moved
	// (same key, other values) never meets its old self in a unique index.
	inserts := make(map[string][][]any, len(names))
	for _, n := range names {
		ins, err := syncDelete(ctx, tx, n, tabs[n], snap.Tables[n])
		if err != nil {
			return err
		}
		inserts[n] = ins
	}
	for _, n := range names {
		if err := insertRows(ctx, tx, n, snap.Tables[n].Columns, inserts[n]); err != nil {
			return err
		}
	}
	if err := resetSequences(ctx, tx); err != nil {
		return err
	}
	if err := s.commit(tx); err != nil {
		if errors.Is(mapErr(err), crmguard.ErrBusy) {
			return mapErr(err)
		}
		return badSnapshot("the rows break a constraint: "+err.Error(), nil)
	}
	return nil
}

// checkTables requires the snapshot to hold exactly the store's tables,
// each with exactly its columns (in any order) and rows of that width.
func checkTables(snap *crmguard.Snapshot, tabs map[string][]column) error {
	for n := range snap.Tables {
		if _, ok := tabs[n]; !ok {
			return badSnapshot("unknown table "+strconv.Quote(n), crmguard.Details{"table": n})
		}
	}
	for n, cols := range tabs {
		t := snap.Tables[n]
		if t == nil {
			return badSnapshot("table "+strconv.Quote(n)+" is missing", crmguard.Details{"table": n})
		}
		if len(t.Columns) != len(cols) {
			return badSnapshot(fmt.Sprintf("table %q has %d columns, not %d", n, len(t.Columns), len(cols)), crmguard.Details{"table": n})
		}
		have := make(map[string]bool, len(cols))
		for _, c := range cols {
			have[c.name] = true
		}
		seen := make(map[string]bool, len(cols))
		for _, c := range t.Columns {
			if !have[c] || seen[c] {
				return badSnapshot(fmt.Sprintf("table %q: unknown or repeated column %q", n, c), crmguard.Details{"table": n, "column": c})
			}
			seen[c] = true
		}
		for i, r := range t.Rows {
			if len(r) != len(cols) {
				return badSnapshot(fmt.Sprintf("table %q row %d has %d values, not %d", n, i, len(r), len(cols)), crmguard.Details{"table": n, "row": i})
			}
		}
	}
	return nil
}

// syncDelete converts the snapshot's rows of one table to column values,
// deletes the table's rows that are not among them, and returns the rows
// still to insert, in the snapshot's order.
func syncDelete(ctx context.Context, tx *sql.Tx, name string, cols []column, t *crmguard.SnapshotTable) ([][]any, error) {
	byName := make(map[string]column, len(cols))
	for _, c := range cols {
		byName[c.name] = c
	}
	want := make([][]any, len(t.Rows))
	keys := make([]string, len(t.Rows))
	count := make(map[string]int, len(t.Rows))
	var kb []byte
	for i, r := range t.Rows {
		vals := make([]any, len(r))
		for j, v := range r {
			c := byName[t.Columns[j]]
			a, err := sqlValue(c, v)
			if err != nil {
				return nil, badSnapshot(fmt.Sprintf("table %q row %d column %q: %v", name, i, c.name, err),
					crmguard.Details{"table": name, "row": i, "column": c.name})
			}
			vals[j] = a
		}
		want[i] = vals
		kb = rowKey(kb[:0], vals)
		keys[i] = string(kb)
		count[keys[i]]++
	}
	rows, err := tx.QueryContext(ctx, `SELECT rowid, "`+strings.Join(t.Columns, `", "`)+`" FROM "`+name+`"`)
	if err != nil {
		return nil, mapErr(err)
	}
	var gone []int64
	vals := make([]any, len(t.Columns))
	ptrs := make([]any, len(t.Columns)+1)
	var rowid int64
	ptrs[0] = &rowid
	for i := range vals {
		ptrs[i+1] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return nil, err
		}
		kb = rowKey(kb[:0], vals)
		if n := count[string(kb)]; n > 0 {
			count[string(kb)] = n - 1 // kept as it is
		} else {
			gone = append(gone, rowid)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	if len(gone) > 0 {
		st, err := tx.PrepareContext(ctx, `DELETE FROM "`+name+`" WHERE rowid = ?`)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		for _, id := range gone {
			if _, err := st.ExecContext(ctx, id); err != nil {
				return nil, mapErr(err)
			}
		}
	}
	var ins [][]any
	for i, k := range keys {
		if count[k] > 0 {
			count[k]--
			ins = append(ins, want[i])
		}
	}
	return ins, nil
}

// rowKey appends a key of a row's values: for each its type and the hex
// of its bytes (an integer's decimal text), comma-separated, so two rows'
// keys are equal only when their values are. (Letting SQLite build the
// key in the query, to move one string per row into Go instead of every
// value, measured three times slower.)
func rowKey(b []byte, vals []any) []byte {
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		switch x := v.(type) {
		case nil:
			b = append(b, "null:"...)
		case int64:
			b = appendHex(append(b, "integer:"...), strconv.AppendInt(nil, x, 10))
		case string:
			b = appendHex(append(b, "text:"...), []byte(x))
		case []byte:
			b = appendHex(append(b, "blob:"...), x)
		default:
			b = fmt.Appendf(append(b, "other:"...), "%T:%v", v, v)
		}
	}
	return b
}

func appendHex(b, src []byte) []byte {
	const digits = "0123456789ABCDEF"
	for _, c := range src {
		b = append(b, digits[c>>4], digits[c&15])
	}
	return b
}

// insertRows inserts rows (already converted) with one prepared statement.
func insertRows(ctx context.Context, tx *sql.Tx, name string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO "`+name+`" ("`+strings.Join(columns, `", "`)+`") VALUES (?`+strings.Repeat(", ?", len(columns)-1)+`)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i, r := range rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			if errors.Is(mapErr(err), crmguard.ErrBusy) {
				return mapErr(err)
			}
			return badSnapshot(fmt.Sprintf("table %q: inserting a row (%d of those to write): %v", name, i, err), crmguard.Details{"table": name})
		}
	}
	return nil
}

// resetSequences keeps each AUTOINCREMENT counter at least at its table's
// highest rowid, and never lets it go back: the audit sequence is how other
// processes (the CLI, another instance) learn that something changed, and a
// number they have already seen, reused after a reset, would hide the next
// change from them. Events after a reset therefore continue the numbering
// rather than repeat it.
func resetSequences(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_sequence`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil // no table uses AUTOINCREMENT
		}
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(rowid), 0) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`")) WHERE name = ?`, n); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sqlValue converts a snapshot value to what the column holds. Values read
// by Snapshot (int64, string, []byte) pass through; values decoded from a
// JSON document (json.Number, float64, string, bool) are converted, and a
// value of the wrong kind is refused rather than stored as SQLite's
// dynamic typing would allow.
func sqlValue(c column, v any) (any, error) {
	if v == nil {
		if c.notNull {
			return nil, errors.New("null in a NOT NULL column")
		}
		return nil, nil
	}
	switch {
	case strings.Contains(c.typ, "INT"):
		switch x := v.(type) {
		case int64:
			return x, nil
		case json.Number:
			n, err := strconv.ParseInt(string(x), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s is not an integer", x)
			}
			return n, nil
		case float64:
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return nil, fmt.Errorf("%v is not an exact integer", x)
			}
			return int64(x), nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return nil, fmt.Errorf("want an integer, have %T", v)
	case strings.Contains(c.typ, "BLOB"):
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			b, err := base64.StdEncoding.DecodeString(x)
			if err != nil {
				return nil, errors.New("want base64 text")
			}
			return b, nil
		}
		return nil, fmt.Errorf("want base64 text, have %T", v)
	default:
		if x, ok := v.(string); ok {
			return x, nil
		}
		return nil, fmt.Errorf("want text, have %T", v)
	}
}

func badSnapshot(msg string, d crmguard.Details) error {
	return crmguard.NewError(crmguard.CodeInvalidData, "the snapshot cannot be restored: "+msg, d)
}
