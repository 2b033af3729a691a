package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/crmguard/crmguard"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store implements crmguard.Store over database/sql, on SQLite or on
// PostgreSQL (pg set). The SQL is written once, with ? placeholders, and
// rebound to $n for PostgreSQL; the few statements that differ ask s.pg.
type Store struct {
	write  *sql.DB       // SQLite: one connection, SQLite has one writer; PostgreSQL: the pool
	read   *sql.DB       // SQLite: a small pool of readers (WAL); PostgreSQL: the same pool as write
	tx     *sql.Tx       // set inside InTx
	reader querier       // reads outside a transaction: prepared on SQLite, rebound on PostgreSQL
	writer *prepared     // SQLite: statements prepared on the write connection
	bound  *txStmts      // SQLite, inside InTx: the writer's statements bound to tx
	group  *committer    // SQLite: the write transactions waiting for the connection (batch.go)
	ckpt   *checkpointer // a SQLite file's: checkpoints after commits (checkpoint.go)
	turns  *gate         // the in-memory database's (gate.go)
	// detached: inside a group of writes (batch.go), statements ignore
	// their caller's cancellation.
	detached bool
	pg       *pgState
}

var _ crmguard.Store = (*Store)(nil)

// DefaultBusyTimeout is how long a write waits for another process's write
// transaction (the CLI, another instance) before it fails with
// crmguard.ErrBusy. Bulk writers commit in batches well under it.
const DefaultBusyTimeout = 5 * time.Second

// Option changes how OpenSQLite opens a database.
type Option func(*options)

type options struct {
	notice      func(version string) // see WithMigrationNotice
	busyTimeout time.Duration
	conns       int        // PostgreSQL's pool size
	query       url.Values // extra URI parameters (the in-memory VFS)
	gated       bool       // connections take turns at a gate (gate.go): the in-memory database
	sync        string     // SQLite's synchronous setting: SyncFull or SyncNormal
}

// WithMigrationNotice has fn told the name of each migration before it is
// applied to a database that had some already (an upgrade, which can take
// a while on a large one: 0015 rewrites the users), not to a new one.
func WithMigrationNotice(fn func(version string)) Option {
	return func(o *options) { o.notice = fn }
}

// WithBusyTimeout sets how long a write waits for the database lock.
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// WithSync sets how a SQLite file commits: SyncFull or SyncNormal (see
// DefaultSync). Opening fails on any other value; PostgreSQL ignores it.
func WithSync(mode string) Option { return func(o *options) { o.sync = mode } }

// The synchronous settings of a SQLite file (always in WAL mode).
const (
	// SyncFull syncs the write-ahead log to the disk before every commit
	// returns: a committed write survives a power loss or an OS crash.
	SyncFull = "full"
	// SyncNormal writes each commit to the write-ahead log (the OS's page
	// cache) and syncs the log only before a checkpoint copies it into
	// the database, about every 1,000 pages of log. A committed write
	// survives the process's crash or kill -9, since the OS still holds
	// and later writes what the process wrote; a power loss or an OS crash
	// can undo the transactions committed since the last sync, in commit
	// order (the database is left as it was at an earlier commit, never
	// corrupt). It saves an fsync per commit.
	SyncNormal = "normal"
)

// walSizeLimit is the size a SQLite file's write-ahead log is cut back to
// once it starts over: four times what a checkpoint normally leaves.
const walSizeLimit = 16 << 20

// DefaultSync is the synchronous setting a SQLite file gets unless
// WithSync says otherwise.
const DefaultSync = SyncNormal

// WithMaxConns sets the size of a PostgreSQL store's connection pool
// (DefaultPostgresConns otherwise); SQLite ignores it.
func WithMaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.conns = n
		}
	}
}

// OpenSQLite opens (creating if needed) the SQLite database at path and
// applies pending migrations.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{busyTimeout: DefaultBusyTimeout, sync: DefaultSync}
	for _, f := range opts {
		f(&o)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return open(ctx, "file:"+abs, o, path)
}

// open opens the writer and the reader pools on name (a "file:" URI
// without query), adding the pragmas every database runs with, and applies
// pending migrations. label names the database in errors.
func open(ctx context.Context, name string, o options, label string) (*Store, error) {
	q := url.Values{}
	busy := fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds())
	var sync string
	switch o.sync {
	case SyncFull, "":
		sync = "synchronous(FULL)"
	case SyncNormal:
		sync = "synchronous(NORMAL)"
	default:
		return nil, fmt.Errorf("synchronous setting %q: want %s or %s", o.sync, SyncFull, SyncNormal)
	}
	// journal_size_limit: SQLite reuses the WAL file rather than shrink
	// it, so a burst the checkpoints could not keep up with (a long read
	// holding old pages) would leave a file that size for good; the first
	// commit after the log starts over cuts it back to this.
	walLimit := fmt.Sprintf("journal_size_limit(%d)", walSizeLimit)
	for _, p := range []string{busy, "journal_mode(WAL)", "foreign_keys(1)", sync, walLimit} {
		q.Add("_pragma", p)
	}
	for k, v := range o.query {
		q[k] = v
	}
	dsn := name + "?" + q.Encode()
	pool := func(dsn string, write bool) (*sql.DB, error) { return sql.Open("sqlite", dsn) }
	var g *gate
	if o.gated {
		g = newGate(o.busyTimeout)
		pool = func(dsn string, write bool) (*sql.DB, error) {
			c, err := newGatedConnector(dsn, g, write)
			if err != nil {
				return nil, err
			}
			return sql.OpenDB(c), nil
		}
	}
	write, err := pool(dsn+"&_txlock=immediate", true)
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := pool(dsn+"&mode=ro", false)
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4) // keep them: each opening runs the pragmas again
	s := &Store{write: write, read: read, reader: newPrepared(read), writer: newPrepared(write), group: &committer{}, turns: g}
	if err := s.migrate(ctx, "sqlite", o.notice); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate %s: %w", label, err)
	}
	if !o.gated { // a file: the in-memory database has no write-ahead log
		ck, err := pool(dsn, true)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.ckpt = startCheckpointer(ck)
	}
	return s, nil
}

// Close closes both pools.
func (s *Store) Close() error {
	if s.pg != nil {
		return s.pg.close(s.write)
	}
	ckErr := s.ckpt.close()
	s.reader.(*prepared).close()
	s.writer.close()
	return errors.Join(ckErr, s.write.Close(), s.read.Close())
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string {
	if s.pg != nil {
		return "postgres"
	}
	return "sqlite"
}

// Ping checks that the database answers; readiness probes use it.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

func (s *Store) r() querier {
	if s.tx != nil {
		return s.txq()
	}
	return s.reader
}

func (s *Store) w() querier {
	if s.tx != nil {
		return s.txq()
	}
	if s.pg != nil {
		return rebound{s.write}
	}
	return s.writer
}

// txq is the transaction: rebound on PostgreSQL, through the write
// connection's prepared statements on SQLite.
func (s *Store) txq() querier {
	if s.pg != nil {
		return rebound{s.tx}
	}
	return txQuerier{s.tx, s.writer, s.bound, s.detached}
}

// InTx runs fn in one write transaction. On PostgreSQL the transaction
// first takes the database's write lock (see pgState) and, before it
// commits, tells every other instance that something changed. On SQLite,
// writes that wait for the connection together commit together (see
// batch.go), each still all or nothing.
func (s *Store) InTx(ctx context.Context, fn func(tx crmguard.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	if s.group != nil {
		return s.group.run(ctx, s, fn)
	}
	return s.inOwnTx(ctx, fn)
}

// inTx is the store that works in tx.
func (s *Store) inTx(tx *sql.Tx) *Store {
	in := &Store{write: s.write, read: s.read, tx: tx, reader: s.reader, writer: s.writer, pg: s.pg}
	if s.pg == nil {
		in.bound = &txStmts{}
	}
	return in
}

// inOwnTx runs fn in a transaction of its own.
func (s *Store) inOwnTx(ctx context.Context, fn func(tx crmguard.Store) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	in := s.inTx(tx)
	if s.pg == nil {
		// Statements first run in this transaction are prepared once it
		// has given the write connection back.
		defer s.writer.preparePending(ctx)
	}
	if s.pg != nil {
		if err := s.pg.begin(ctx, tx); err != nil {
			_ = tx.Rollback()
			return mapErr(err)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback() // else the transaction would keep the connection
			panic(p)
		}
	}()
	if err := fn(in); err != nil {
		_ = tx.Rollback()
		return err
	}
	if s.pg != nil {
		if err := s.pg.notify(ctx, tx); err != nil {
			_ = tx.Rollback()
			return mapErr(err)
		}
	}
	return mapErr(s.commit(tx))
}

// commit commits a write transaction and, on a SQLite file, tells the
// checkpointer (checkpoint.go). The error is the driver's.
func (s *Store) commit(tx *sql.Tx) error {
	err := tx.Commit()
	if err == nil {
		s.ckpt.poke()
	}
	return err
}

// mapErr turns driver errors into the store's sentinels, by code.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return crmguard.ErrNotFound
	}
	if e := mapPgErr(err); e != nil {
		return e
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", crmguard.ErrConflict, err)
		}
		// The primary code of SQLITE_BUSY_SNAPSHOT, _TIMEOUT, … is SQLITE_BUSY.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %v", crmguard.ErrBusy, err)
		}
	}
	return err
}

// exec runs a write and maps its error.
//
// Inside a PostgreSQL transaction the write runs under a savepoint: there a
// failed statement (a duplicate name, say) would abort the whole
// transaction, while the callers, as on SQLite, go on after an
// ErrConflict (a bulk request answers each record on its own).
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s.pg != nil && s.tx != nil {
		return s.execSavepoint(ctx, query, args...)
	}
	res, err := s.w().ExecContext(ctx, query, args...)
	return res, mapErr(err)
}

func (s *Store) execSavepoint(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if _, err := s.tx.ExecContext(ctx, `SAVEPOINT w`); err != nil {
		return nil, mapErr(err)
	}
	res, err := s.tx.ExecContext(ctx, rebind(query), args...)
	if err != nil {
		if _, rerr := s.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT w`); rerr != nil {
			return nil, errors.Join(mapErr(err), rerr)
		}
		_, _ = s.tx.ExecContext(ctx, `RELEASE SAVEPOINT w`)
		return nil, mapErr(err)
	}
	if _, err := s.tx.ExecContext(ctx, `RELEASE SAVEPOINT w`); err != nil {
		return nil, mapErr(err)
	}
	return res, nil
}

// execOne runs a write that must touch exactly one row, else ErrNotFound.
func (s *Store) execOne(ctx context.Context, query string, args ...any) error {
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return crmguard.ErrNotFound
	}
	return nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
