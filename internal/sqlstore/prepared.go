package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// prepared runs statements through prepared statements kept per query
// text, on SQLite: parsing the SQL cost more than running it on the hot
// paths (a user by ID, the update of one user and its audit event). Every
// query text in this package is a constant or built from a fixed set of
// shapes, and the cache is bounded anyway.
//
// The store keeps one over the reader pool and one over the write
// connection. The write connection is the only one of its pool, and a
// transaction holds it from begin to end, so nothing can be prepared on it
// from inside a transaction: a statement a transaction meets for the first
// time runs unprepared there, is noted, and is prepared once the
// transaction has ended (preparePending). Later transactions bind the
// prepared statement to themselves (txQuerier), which database/sql does
// without preparing it again, as the statement already lives on that
// connection.
type prepared struct {
	db      *sql.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool // met inside a transaction, to prepare after it
}

const maxPrepared = 128

func newPrepared(db *sql.DB) *prepared {
	return &prepared{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// stmt returns the statement of query, preparing it if need be; nil when
// the cache is full or the query fails to prepare. No lock is held while it
// prepares: a writer waiting for the connection must not stop a
// transaction that holds it from looking up its own statements.
func (p *prepared) stmt(ctx context.Context, query string) *sql.Stmt {
	p.mu.Lock()
	st, ok := p.stmts[query]
	full := len(p.stmts) >= maxPrepared
	p.mu.Unlock()
	if ok || full {
		return st
	}
	st, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the plain statement reports the error
	}
	return p.keep(query, st)
}

// keep adds st unless another goroutine prepared query first, and returns
// the one kept.
func (p *prepared) keep(query string, st *sql.Stmt) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.stmts[query]; ok || p.stmts == nil || len(p.stmts) >= maxPrepared {
		st.Close()
		return old
	}
	p.stmts[query] = st
	return st
}

// cached returns the statement of query if it is prepared, else notes the
// query for preparePending and returns nil. It never waits for the
// connection.
func (p *prepared) cached(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, ok := p.stmts[query]
	if !ok && p.stmts != nil && len(p.stmts)+len(p.pending) < maxPrepared {
		p.pending[query] = true
	}
	return st
}

// preparePending prepares the statements that transactions ran unprepared.
// The caller holds no transaction.
func (p *prepared) preparePending(ctx context.Context) {
	p.mu.Lock()
	if len(p.pending) == 0 {
		p.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(p.pending))
	for q := range p.pending {
		queries = append(queries, q)
	}
	clear(p.pending)
	p.mu.Unlock()
	for _, q := range queries {
		p.stmt(context.WithoutCancel(ctx), q)
	}
}

func (p *prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, query, args...)
}

func (p *prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row read to its end whether or not ctx is
// cancelled: database/sql starts a goroutine per query to watch a
// cancellable context, which cost a cold GET /users/{id} more than SQLite's
// reading the row, and a one-row read (a lookup, a count, a page of users
// as one row) is short.
func (p *prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

func (p *prepared) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.stmts {
		st.Close()
	}
	p.stmts, p.pending = nil, nil
}

// txStmts are the write connection's statements bound to one transaction,
// each bound once however often the transaction runs it (a bulk write runs
// one statement per record).
type txStmts struct {
	mu    sync.Mutex
	bound map[string]*sql.Stmt
}

// txQuerier runs a transaction's statements, prepared when the write
// connection has them.
type txQuerier struct {
	tx       *sql.Tx
	writer   *prepared
	bound    *txStmts
	detached bool // in a group of writes: the caller's cancellation must not interrupt
}

func (q txQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	q.bound.mu.Lock()
	defer q.bound.mu.Unlock()
	if st, ok := q.bound.bound[query]; ok {
		return st
	}
	parent := q.writer.cached(query)
	if parent == nil {
		return nil
	}
	st := q.tx.StmtContext(ctx, parent)
	if q.bound.bound == nil {
		q.bound.bound = map[string]*sql.Stmt{}
	}
	q.bound.bound[query] = st
	return st
}

func (q txQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if q.detached {
		ctx = context.WithoutCancel(ctx)
	}
	if st := q.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if q.detached {
		ctx = context.WithoutCancel(ctx)
	}
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q txQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if q.detached {
		ctx = context.WithoutCancel(ctx)
	}
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}
