package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsPostgres reports whether dsn names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database dsn names: PostgreSQL for a postgres:// URL,
// else the SQLite file at that path.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	if IsPostgres(dsn) {
		return OpenPostgres(ctx, dsn, opts...)
	}
	return OpenSQLite(ctx, dsn, opts...)
}

// DefaultPostgresConns is the size of an instance's connection pool: every
// request that misses the caches, every write and the sign-in and credit
// counters share it; LISTEN takes one more connection of its own.
const DefaultPostgresConns = 16

// pgState is what a PostgreSQL store adds to the shared code.
//
// Isolation: every write transaction (InTx) runs at READ COMMITTED and
// first takes one transaction-scoped advisory lock, the database's write
// lock, which every instance sharing the schema takes alike. Writes
// therefore run one at a time across all instances, as on SQLite, and the
// rules that count before they insert (the licence count, the 25-profile
// limit, the token limits, role cycles) read a state no other writer can
// change before they commit. Single statements outside a transaction
// (marking a refresh token used, a session) need no lock: each is atomic
// on its own. Reads take no lock and never wait for a writer.
//
// Notification: before it commits, every write transaction sends
// pg_notify on the schema's channel with this process's instance name;
// PostgreSQL delivers it to every listener when, and only if, the
// transaction commits. WatchChanges listens.
type pgState struct {
	dsn      string
	lockKey  int64  // the write lock: hashtext of the schema's name
	channel  string // crmguard_<schema>
	instance string // this store's name in its own notifications
	once     sync.Once
}

// OpenPostgres opens the PostgreSQL database dsn names (a postgres:// URL;
// its search_path picks the schema) and applies pending migrations from
// migrations/postgres.
func OpenPostgres(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{busyTimeout: DefaultBusyTimeout, conns: DefaultPostgresConns}
	for _, f := range opts {
		f(&o)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if _, ok := cfg.RuntimeParams["lock_timeout"]; !ok {
		// A write waits this long for the write lock, then fails with
		// ErrBusy (a 503), as SQLite's busy timeout does.
		cfg.RuntimeParams["lock_timeout"] = strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(o.conns)
	db.SetMaxIdleConns(o.conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	var key int64
	if err := db.QueryRowContext(ctx, `SELECT hashtext($1)::bigint`, schema+".crmguard-write").Scan(&key); err != nil {
		db.Close()
		return nil, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	st := &pgState{dsn: dsn, lockKey: key, channel: "crmguard_" + schema, instance: hex.EncodeToString(b[:])}
	s := &Store{write: db, read: db, reader: rebound{db}, pg: st}
	if err := s.migrate(ctx, "postgres", o.notice); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", RedactDSN(dsn), err)
	}
	return s, nil
}

// RedactDSN is a PostgreSQL URL without its password, in the user part or
// in a query parameter, for messages; everything else is kept.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the PostgreSQL database (its URL does not parse)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if passwordParam(q) {
		for k := range q {
			if isPasswordParam(k) {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// HasPassword reports whether a PostgreSQL URL carries a password, in the
// user part or a query parameter; one that does not parse is taken to, so
// that it is never printed.
func HasPassword(dsn string) bool {
	u, err := url.Parse(dsn)
	if err != nil {
		return true
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	return passwordParam(u.Query())
}

func passwordParam(q url.Values) bool {
	for k := range q {
		if isPasswordParam(k) {
			return true
		}
	}
	return false
}

func isPasswordParam(k string) bool { return strings.Contains(strings.ToLower(k), "password") }

// begin takes the write lock for the rest of tx.
func (p *pgState) begin(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, p.lockKey)
	return err
}

// notify queues the change notification, sent if tx commits.
func (p *pgState) notify(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, p.channel, p.instance)
	return err
}

func (p *pgState) close(db *sql.DB) error {
	var err error
	p.once.Do(func() { err = db.Close() })
	return err
}

// WatchChanges calls changed each time another process commits a write
// transaction to this database, until ctx ends; its own writes are left
// out (their writer already knows). It listens on a connection of its own
// and calls listening once, when it first listens (or its first try
// failed: the caller must not wait forever). When the connection breaks,
// or the first try failed, it connects again and calls changed once it
// listens, for whatever it may have missed meanwhile. On SQLite it returns
// errors.ErrUnsupported at once: there the service polls.
func (s *Store) WatchChanges(ctx context.Context, changed, listening func()) error {
	if s.pg == nil {
		return errors.ErrUnsupported
	}
	p := s.pg
	told := false
	tell := func() {
		if !told {
			told = true
			listening()
		}
	}
	backoff := 50 * time.Millisecond
	for first := true; ; first = false {
		err := p.listen(ctx, changed, tell, !first)
		tell() // the first try failed: do not keep the caller waiting
		if ctx.Err() != nil {
			return nil
		}
		_ = err // the caller learns nothing new from a dropped connection: retry
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen runs one LISTEN connection until it fails or ctx ends. After a
// reconnect it reports a change once it is listening again.
func (p *pgState) listen(ctx context.Context, changed, listening func(), reconnected bool) error {
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{p.channel}.Sanitize()); err != nil {
		return err
	}
	if reconnected {
		changed()
	} else {
		listening()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload != p.instance {
			changed()
		}
	}
}

// mapPgErr maps PostgreSQL's error codes to the store's sentinels, or
// returns nil for an error that is not PostgreSQL's.
func mapPgErr(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return nil
	}
	switch pe.Code {
	case "23505": // unique_violation
		return fmt.Errorf("%w: %v", crmguard.ErrConflict, err)
	case "40001", "40P01", "55P03": // serialization_failure, deadlock_detected, lock_not_available
		return fmt.Errorf("%w: %v", crmguard.ErrBusy, err)
	}
	return err
}

// rebound runs statements written with ? placeholders on PostgreSQL, which
// numbers them ($1, $2, …).
type rebound struct{ q querier }

func (r rebound) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.q.ExecContext(ctx, rebind(query), args...)
}

func (r rebound) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.q.QueryContext(ctx, rebind(query), args...)
}

func (r rebound) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return r.q.QueryRowContext(ctx, rebind(query), args...)
}

// rebindTx is tx, rebound when s is on PostgreSQL.
func rebindTx(s *Store, tx *sql.Tx) querier {
	if s.pg != nil {
		return rebound{tx}
	}
	return tx
}

// rebinds caches rebound statements by text: the store's statements are
// constants or a few shapes, so the cache stays small; it stops growing at
// maxRebinds all the same.
var (
	rebindMu sync.RWMutex
	rebinds  = map[string]string{}
)

const maxRebinds = 4096

// rebind turns each ? outside a quoted string or identifier into $n.
func rebind(q string) string {
	rebindMu.RLock()
	out, ok := rebinds[q]
	rebindMu.RUnlock()
	if ok {
		return out
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	out = b.String()
	rebindMu.Lock()
	if len(rebinds) < maxRebinds {
		rebinds[q] = out
	}
	rebindMu.Unlock()
	return out
}
