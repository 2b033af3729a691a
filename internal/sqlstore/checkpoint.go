package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointer copies the write-ahead log into the database file on a
// connection of its own, after commits, so that the writer does not. Left
// to SQLite, the commit that takes the log past 1,000 pages copies them
// all and syncs both files before it returns, while every other write
// waits for the connection. A passive checkpoint here runs beside the
// writer and the readers and waits for neither (what a reader still uses
// is copied by a later one); SQLite's own checkpoint stays as the bound
// should this one fall behind, and for writes outside a transaction.
//
// It checkpoints at most once per checkpointGap, so that a burst of
// commits costs one copy. Durability is unchanged: the log is synced
// before each copy, as SQLite's own checkpoint does.
type checkpointer struct {
	db   *sql.DB
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	runs atomic.Int64 // checkpoints run
	once sync.Once
	err  error // closing the connection
}

const checkpointGap = 20 * time.Millisecond

func startCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// poke says a transaction committed; it never waits.
func (c *checkpointer) poke() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	gap := time.NewTimer(checkpointGap)
	gap.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		// An error (the database closing, a disk error) leaves the
		// checkpoint to SQLite's own, and the writes report their errors.
		if _, err := c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err == nil {
			c.runs.Add(1)
		}
		gap.Reset(checkpointGap)
		select {
		case <-c.stop:
			return
		case <-gap.C:
		}
	}
}

// close stops the checkpointer and closes its connection; it may be
// called again, as Store.Close may.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		c.err = c.db.Close()
	})
	return c.err
}
