package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"modernc.org/sqlite"
)

// The in-memory database's turns (OpenMemory). memdb, SQLite's in-memory
// VFS, has no WAL: a reader cannot start while the writer holds its
// transaction, and the writer cannot commit while a reader reads. Left to
// SQLite, whoever finds the other in the way sleeps in its busy handler,
// a millisecond at least, which cost more than the reads and writes
// themselves. So the store's connections take turns here first, as SQLite
// would have them, with no sleeping: readers together, the writer alone,
// in the order they came (a waiting write holds back later readers).
//
// A connection holds its turn exactly as long as SQLite would hold the
// lock: a statement from its start until its rows are closed, a
// transaction from begin to commit or rollback. A connection inside a
// transaction holds its turn already and takes none for its statements.
// A turn not given within the busy timeout (one goroutine waiting for
// itself: a read on another connection from inside a write transaction) is
// gone without: SQLite's own locking then decides, as it would without the
// gate, and the statement fails with "database is locked" rather than
// hang.
type gate struct {
	sem  *semaphore.Weighted
	wait time.Duration
	// What tests look at: turns being waited for now, and turns given up
	// on (gone without).
	waiting, without atomic.Int64
}

// gateAll is the weight of a write turn: more than any number of readers.
const gateAll = 1 << 30

func newGate(wait time.Duration) *gate {
	return &gate{sem: semaphore.NewWeighted(gateAll), wait: wait}
}

// take waits for a turn of weight n (1 to read, gateAll to write) and
// returns what the holder gives back: n, or 0 if none was given in time.
// It fails only when ctx ends first.
func (g *gate) take(ctx context.Context, n int64) (int64, error) {
	if g.sem.TryAcquire(n) {
		return n, nil
	}
	wctx, cancel := context.WithTimeout(ctx, g.wait)
	defer cancel()
	g.waiting.Add(1)
	err := g.sem.Acquire(wctx, n)
	g.waiting.Add(-1)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		g.without.Add(1)
		return 0, nil
	}
	return n, nil
}

func (g *gate) give(n int64) {
	if n > 0 {
		g.sem.Release(n)
	}
}

// gatedConnector opens connections that take turns at g: the writer's
// (write set) take write turns for their transactions and for statements
// outside one, the readers' read turns.
type gatedConnector struct {
	driver.Connector
	g     *gate
	write bool
}

func newGatedConnector(dsn string, g *gate, write bool) (driver.Connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return &gatedConnector{Connector: c, g: g, write: write}, nil
}

// Connect opens a connection during a read turn: the pragmas each
// connection runs first (journal_mode among them) read the database.
func (c *gatedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	n, err := c.g.take(ctx, 1)
	if err != nil {
		return nil, err
	}
	dc, err := c.Connector.Connect(ctx)
	c.g.give(n)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(sqliteConn)
	if !ok {
		dc.Close()
		return nil, errDriverChanged
	}
	return &gatedConn{base: sc, g: c.g, write: c.write}, nil
}

// errDriverChanged: the SQLite driver no longer offers what the gate wraps.
var errDriverChanged = errors.New("sqlstore: the SQLite driver's connections or statements lack a method the gate needs")

// sqliteConn is what the SQLite driver's connections offer and the store
// uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type gatedConn struct {
	base  sqliteConn
	g     *gate
	write bool
	inTx  bool // holding the turn of its transaction
}

// turn takes the turn a statement or a transaction needs: none inside a
// transaction, a write turn on the writer's connection (unless read is
// set: preparing a statement only reads), else a read turn.
func (c *gatedConn) turn(ctx context.Context, read bool) (int64, error) {
	if c.inTx {
		return 0, nil
	}
	if c.write && !read {
		return c.g.take(ctx, gateAll)
	}
	return c.g.take(ctx, 1)
}

func (c *gatedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *gatedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	n, err := c.turn(ctx, true)
	if err != nil {
		return nil, err
	}
	defer c.g.give(n)
	st, err := c.base.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ss, ok := st.(sqliteStmt)
	if !ok {
		st.Close()
		return nil, errDriverChanged
	}
	return &gatedStmt{base: ss, c: c}, nil
}

func (c *gatedConn) Close() error { return c.base.Close() }

func (c *gatedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	n, err := c.turn(ctx, false)
	if err != nil {
		return nil, err
	}
	tx, err := c.base.BeginTx(ctx, opts)
	if err != nil {
		c.g.give(n)
		return nil, err
	}
	c.inTx = true
	return &gatedTx{base: tx, c: c, n: n}, nil
}

func (c *gatedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	n, err := c.turn(ctx, false)
	if err != nil {
		return nil, err
	}
	defer c.g.give(n)
	return c.base.ExecContext(ctx, query, args)
}

func (c *gatedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	n, err := c.turn(ctx, false)
	if err != nil {
		return nil, err
	}
	r, err := c.base.QueryContext(ctx, query, args)
	return c.g.rows(n, r, err)
}

func (c *gatedConn) Ping(ctx context.Context) error {
	n, err := c.turn(ctx, true)
	if err != nil {
		return err
	}
	defer c.g.give(n)
	return c.base.Ping(ctx)
}

func (c *gatedConn) ResetSession(ctx context.Context) error { return c.base.ResetSession(ctx) }
func (c *gatedConn) IsValid() bool                          { return c.base.IsValid() }

// rows wraps a query's rows so that closing them gives back the turn n;
// on an error the turn is given back at once.
func (g *gate) rows(n int64, r driver.Rows, err error) (driver.Rows, error) {
	if err != nil {
		g.give(n)
		return nil, err
	}
	if n == 0 {
		return r, nil
	}
	return &gatedRows{Rows: r, g: g, n: n}, nil
}

type gatedTx struct {
	base driver.Tx
	c    *gatedConn
	n    int64
}

func (t *gatedTx) Commit() error   { return t.end(t.base.Commit()) }
func (t *gatedTx) Rollback() error { return t.end(t.base.Rollback()) }

func (t *gatedTx) end(err error) error {
	t.c.inTx = false
	t.c.g.give(t.n)
	t.n = 0
	return err
}

// sqliteStmt is what the SQLite driver's statements offer.
type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type gatedStmt struct {
	base sqliteStmt
	c    *gatedConn
}

func (s *gatedStmt) Close() error  { return s.base.Close() }
func (s *gatedStmt) NumInput() int { return s.base.NumInput() }

// Exec and Query are driver.Stmt's older methods; database/sql calls the
// ones with a context.
func (s *gatedStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *gatedStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func named(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, v := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv
}

func (s *gatedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	n, err := s.c.turn(ctx, false)
	if err != nil {
		return nil, err
	}
	defer s.c.g.give(n)
	return s.base.ExecContext(ctx, args)
}

func (s *gatedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	n, err := s.c.turn(ctx, false)
	if err != nil {
		return nil, err
	}
	r, err := s.base.QueryContext(ctx, args)
	return s.c.g.rows(n, r, err)
}

type gatedRows struct {
	driver.Rows
	g *gate
	n int64
}

func (r *gatedRows) Close() error {
	err := r.Rows.Close()
	r.g.give(r.n)
	r.n = 0
	return err
}
