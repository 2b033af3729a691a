package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

//go:embed migrations
var migrationsFS embed.FS

// migrate applies the dialect's migrations not yet recorded, each in its own
// transaction together with its record.
func (s *Store) migrate(ctx context.Context, dialect string, notice func(string)) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	q := querier(s.write)
	if s.pg != nil {
		q = rebound{s.write}
	}
	dir := "migrations/" + dialect
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var had int // migrations recorded before this run: 0 for a new database
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&had); err != nil {
		return err
	}
	applied := 0
	for _, name := range names {
		version := strings.TrimSuffix(name, ".sql")
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if notice != nil && had > 0 {
			notice(version)
		}
		body, err := migrationsFS.ReadFile(dir + "/" + name)
		if err != nil {
			return err
		}
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if s.pg != nil {
			// Instances starting together take turns; the later one
			// finds the migration recorded and skips it.
			if err := s.pg.begin(ctx, tx); err != nil {
				_ = tx.Rollback()
				return err
			}
			var done int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, version).Scan(&done); err != nil || done > 0 {
				_ = tx.Rollback()
				if err != nil {
					return err
				}
				continue
			}
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := rebindTx(s, tx).ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, time.Now().UnixMilli()); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		applied++
	}
	if applied > 0 && s.pg == nil {
		// A migration that rebuilds a table (0015: users) writes it whole
		// to the WAL, which keeps its largest size until the last
		// connection closes: hand the space back now.
		if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return err
		}
	}
	return nil
}
