package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/crmguard/crmguard"
)

// Group commit (SQLite). A SQLite database has one writer, so write
// transactions queue for the write connection anyway; a commit costs a
// write of every page the transaction changed, and concurrent writes
// change the same pages (the tail of the audit log and of its indexes, the
// users' modification-time index). So the writes waiting when the
// connection comes free run together: in one transaction, one after the
// other and each under a savepoint of its own, then one commit. Each
// caller still gets its own answer: a write whose fn fails is rolled back
// to its savepoint alone and returns its error; the others commit; no
// InTx returns before the commit that holds its write, and if that commit
// fails, every write of the group fails with it. A write running alone
// (no queue) runs exactly as before, without a savepoint.
//
// Inside a group, statements run detached from their caller's
// cancellation: SQLite answers an interrupted write inside a transaction by
// rolling the whole transaction back, which would undo the others' writes.
// Should it happen anyway (a statement run around the store's querier),
// the group notices at the savepoint's release and fails as a whole.

// maxGroup bounds how many writes one transaction holds.
const maxGroup = 64

type committer struct {
	mu      sync.Mutex
	queue   []*txReq
	running bool // a leader is running transactions
}

// txReq is one InTx waiting for the write connection.
type txReq struct {
	ctx      context.Context
	fn       func(tx crmguard.Store) error
	err      error
	panicked any       // what fn panicked with: its write is undone, and the caller panics with it
	wake     chan bool // true: lead the next group; false: done, err is set
}

// savepoint is the name each write of a group runs under.
const savepoint = "crmguard_group"

// errGroupLost is a group whose transaction SQLite rolled back under it.
var errGroupLost = errors.New("sqlstore: the group's transaction was rolled back")

// run runs fn in a transaction of its own or, when others are waiting, in
// a group with them.
func (c *committer) run(ctx context.Context, s *Store, fn func(tx crmguard.Store) error) error {
	c.mu.Lock()
	if !c.running {
		c.running = true
		c.mu.Unlock()
		defer c.next()
		return s.inOwnTx(ctx, fn)
	}
	r := &txReq{ctx: ctx, fn: fn, wake: make(chan bool, 1)}
	c.queue = append(c.queue, r)
	c.mu.Unlock()
	if lead := <-r.wake; !lead {
		if r.panicked != nil {
			panic(r.panicked)
		}
		return r.err
	}
	// Leading: r is first in the queue; take up to maxGroup.
	c.mu.Lock()
	n := min(len(c.queue), maxGroup)
	group := c.queue[:n:n]
	c.queue = append([]*txReq(nil), c.queue[n:]...)
	c.mu.Unlock()
	if len(group) == 1 {
		defer c.next()
		return s.inOwnTx(ctx, fn)
	}
	s.inGroupTx(group)
	for _, o := range group[1:] {
		o.wake <- false
	}
	c.next()
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// next hands the connection to the first waiter, or marks it free.
func (c *committer) next() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		c.running = false
		return
	}
	c.queue[0].wake <- true
}

// inGroupTx runs the group's writes in one transaction and sets each
// one's err.
func (s *Store) inGroupTx(group []*txReq) {
	ctx := context.WithoutCancel(group[0].ctx)
	defer s.writer.preparePending(ctx)
	fail := func(err error) {
		for _, r := range group {
			if r.err == nil {
				r.err = err
			}
		}
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		fail(mapErr(err))
		return
	}
	in := s.inTx(tx)
	in.detached = true
	ok := 0
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT `+savepoint); err != nil {
			_ = tx.Rollback()
			fail(mapErr(err))
			return
		}
		r.err, r.panicked = runFn(r.fn, in)
		if r.err != nil {
			_, err = tx.ExecContext(ctx, `ROLLBACK TO `+savepoint)
		}
		if err == nil {
			_, err = tx.ExecContext(ctx, `RELEASE `+savepoint)
		}
		if err != nil {
			// The savepoint is gone: SQLite rolled the transaction back.
			_ = tx.Rollback()
			for _, o := range group {
				if o.err == nil || o == r {
					o.err = fmt.Errorf("%w: %v", errGroupLost, err)
				}
			}
			return
		}
		if r.err == nil {
			ok++
		}
	}
	if ok == 0 {
		_ = tx.Rollback()
		return
	}
	fail(mapErr(s.commit(tx)))
}

// runFn runs fn, recovering a panic so that only its caller sees it (its
// write is rolled back to its savepoint; the group's others go on).
func runFn(fn func(tx crmguard.Store) error, in *Store) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			err, panicked = fmt.Errorf("sqlstore: panic in a write transaction: %v", p), p
		}
	}()
	return fn(in), nil
}
