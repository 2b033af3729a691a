package service

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
)

// changes numbers the changes the service knows of and tells the caches of
// derived data (the guard's principals, the API's encoded users, the sorted
// ID lists here) what each one touched, so that they drop only that.
//
// Two counters move. The sequence moves on every change, targeted or not;
// the epoch only on a change that may have touched anything (Change.All):
// a change whose extent this process cannot tell (another process's, a
// restore, a write it does not classify; see changes.go). A cache tagged
// with the epoch is therefore still correct before its subscriber has run
// for an All change, and must be kept correct for targeted changes by its
// subscriber, which runs before the change is acknowledged.
//
// The log keeps the recent changes, in sequence order, so that a cache
// about to keep what it read can ask whether a change since the read began
// touched it (Stale): a read that started before a write and finishes after
// it must not put back what the write replaced.
type changes struct {
	seq   atomic.Uint64
	epoch atomic.Uint64

	mu    sync.Mutex
	log   []Change // the changes with Seq in (floor, seq], ascending
	floor uint64
	subs  []func(epoch uint64)
	csubs []func(c *Change)

	// polling is set while Watch polls the audit sequence (SQLite); own
	// then holds the audit sequence numbers of this service's own
	// committed writes that the poll has not passed yet, so that it can
	// tell them from another process's.
	polling atomic.Bool
	own     []int64
}

// changeLogSize is how many changes the log keeps. A reader that started
// more changes ago than this is told everything may have changed.
const changeLogSize = 1024

// Epoch returns the current change epoch. It only ever grows, and moves
// when anything stored may have changed (Change.All), not on a change the
// service knows to be narrow: a cache tagged with it must also follow
// SubscribeChanges, or use Seq instead.
func (s *Service) Epoch() uint64 { return s.changes.epoch.Load() }

// Seq returns the change sequence, which moves on every change. Read it
// before reading the data a cache keeps; pass it to Stale when putting the
// value in.
func (s *Service) Seq() uint64 { return s.changes.seq.Load() }

// Subscribe calls f with the new epoch after every change that moves it
// (Change.All). f runs on the goroutine that made the change (or on the
// watcher's), so it must be quick and must not call back into a write.
func (s *Service) Subscribe(f func(epoch uint64)) {
	s.changes.mu.Lock()
	s.changes.subs = append(s.changes.subs, f)
	s.changes.mu.Unlock()
}

// SubscribeChanges calls f after every change, targeted or not, before the
// change is acknowledged. f runs on the goroutine that made the change; two
// changes committed at once may reach f in either order, so f must only
// drop what they name (which is idempotent), never store what they say. f
// must not modify c.
func (s *Service) SubscribeChanges(f func(c *Change)) {
	s.changes.mu.Lock()
	s.changes.csubs = append(s.changes.csubs, f)
	s.changes.mu.Unlock()
}

// Changed starts a new epoch and tells the subscribers that anything may
// have changed. Call it after writing to the store around the service (a
// test setting up a state no use case allows), or wait for Watch to
// notice.
func (s *Service) Changed() { s.publish(&Change{All: true}) }

// publish numbers c, logs it and tells the subscribers. Call it only after
// the change has committed.
func (s *Service) publish(c *Change) {
	ch := &s.changes
	ch.mu.Lock()
	c.Seq = ch.seq.Load() + 1
	if c.All {
		c.Epoch = ch.epoch.Add(1)
	} else {
		c.Epoch = ch.epoch.Load()
	}
	if len(ch.log) >= changeLogSize {
		drop := len(ch.log) / 2
		ch.floor = ch.log[drop-1].Seq
		ch.log = append(ch.log[:0], ch.log[drop:]...)
	}
	ch.log = append(ch.log, *c)
	ch.seq.Store(c.Seq) // after the log has it: whoever reads this number finds the change there
	subs, csubs := ch.subs, ch.csubs
	ch.mu.Unlock()
	for _, f := range csubs {
		f(c)
	}
	if c.All {
		for _, f := range subs {
			f(c.Epoch)
		}
	}
}

// since calls f with each change after seq, newest first, until f returns
// false; it returns false if the log no longer holds them all. The caller
// holds ch.mu.
func (ch *changes) since(seq uint64, f func(c *Change) bool) bool {
	if seq < ch.floor {
		return false
	}
	for i := len(ch.log) - 1; i >= 0 && ch.log[i].Seq > seq; i-- {
		if !f(&ch.log[i]) {
			break
		}
	}
	return true
}

// StaleShown reports whether a change after seq (a value of Seq) may have
// touched a value that shows the row of self and the names of names (an
// encoded user shows its own row and the names of its creator, modifier
// and manager; a change to another field of one of names leaves it
// current), or changed everything. A cache keeps a value read since seq
// only if not: it must ask while holding the lock its subscriber takes to
// drop entries, and put the value in before letting go of it. Then either
// the change was logged before the question (the answer is yes) or its
// subscriber runs after the put and drops the value.
func (s *Service) StaleShown(seq uint64, self crmguard.ID, names ...crmguard.ID) bool {
	return s.staleIf(seq, func(c *Change) bool { return c.shows(self, names) })
}

// StalePrincipal reports whether a change after seq touched a principal of
// user: the user's row, some of the user's tokens, or the org's count of
// active users (the principal's limits).
func (s *Service) StalePrincipal(seq uint64, user crmguard.ID) bool {
	return s.staleIf(seq, func(c *Change) bool { return c.Active || c.names(user) })
}

// staleIf reports whether a change after seq is All or touches what
// touched says, or whether the log no longer reaches back to seq.
func (s *Service) staleIf(seq uint64, touched func(c *Change) bool) bool {
	if seq == s.changes.seq.Load() {
		return false // nothing since: no lock needed
	}
	ch := &s.changes
	ch.mu.Lock()
	defer ch.mu.Unlock()
	stale := false
	known := ch.since(seq, func(c *Change) bool {
		stale = c.All || touched(c)
		return !stale
	})
	return stale || !known
}

// ChangedUsers returns the users whose rows changes after seq touched, and
// the sequence they bring the caller to; ok is false when one of them may
// have changed everything or the log no longer reaches back to seq.
func (s *Service) ChangedUsers(seq uint64) (users []crmguard.ID, now uint64, ok bool) {
	ch := &s.changes
	ch.mu.Lock()
	defer ch.mu.Unlock()
	now = ch.seq.Load()
	all := false
	known := ch.since(seq, func(c *Change) bool {
		all = c.All
		users = append(users, c.Users...)
		return !all
	})
	if all || !known {
		return nil, now, false
	}
	return users, now, true
}

// wrote records the audit sequence numbers of a write of this service's
// that has committed, for the poll to leave out (see ownRange).
func (ch *changes) wrote(seqs []int64) {
	if !ch.polling.Load() || len(seqs) == 0 {
		return
	}
	ch.mu.Lock()
	ch.own = append(ch.own, seqs...)
	ch.mu.Unlock()
}

// ownRange reports whether every audit event numbered in (last, now] is
// one of this service's own writes, whose changes were published when they
// committed; it forgets the numbers up to now. SQLite numbers its audit
// events one after another, one writer at a time: if as many of ours fall
// in the range as it holds numbers, no one else's does. A gap (a number
// skipped) makes it answer no, and the poll publish an All change, which
// is never wrong.
func (ch *changes) ownRange(last, now int64) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	n, kept := int64(0), ch.own[:0]
	for _, q := range ch.own {
		switch {
		case q > now:
			kept = append(kept, q)
		case q > last:
			n++
		}
	}
	ch.own = kept
	return now > last && n == now-last
}

// changeFeed is a store that tells of other processes' commits as they
// happen (PostgreSQL's LISTEN/NOTIFY); a store that cannot answers
// errors.ErrUnsupported at once.
type changeFeed interface {
	// WatchChanges calls listening once it listens (or its first try to
	// failed), then changed for each commit of another process.
	WatchChanges(ctx context.Context, changed, listening func()) error
}

// StartWatch runs Watch in a goroutine and returns once the watcher knows
// where the store stands (the poll's first reading, or the feed listening),
// so that a change committed by another process after StartWatch returns
// is always seen. wait blocks until the watcher has ended, after ctx.
func (s *Service) StartWatch(ctx context.Context, every time.Duration, log *slog.Logger) (wait func()) {
	ready, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	go func() {
		defer close(done)
		defer once.Do(func() { close(ready) })
		s.watch(ctx, every, log, func() { once.Do(func() { close(ready) }) })
	}()
	select {
	case <-ready:
	case <-ctx.Done():
	}
	return func() { <-done }
}

// Watch keeps this process's caches in step with changes that another
// process (the CLI, another instance) commits to the store, until ctx
// ends. Changes made through this service are published at once, without
// it. A change seen here is an All change: neither the notification nor
// the poll says what it touched.
//
// A store with a change feed (PostgreSQL) starts a new epoch as each
// notification arrives, a millisecond or so after the other instance's
// commit. Otherwise (SQLite) Watch polls the store's change sequence every
// interval: the highest audit sequence number, which is a sound signal
// there because SQLite has one writer at a time, so transactions commit in
// the order their audit events were numbered. On a database where writers
// commit concurrently a transaction can commit after a later-numbered one,
// and the highest number seen would miss it; that is why PostgreSQL
// listens instead.
func (s *Service) Watch(ctx context.Context, every time.Duration, log *slog.Logger) {
	s.watch(ctx, every, log, func() {})
}

// watch is Watch, calling started once it knows where the store stands.
func (s *Service) watch(ctx context.Context, every time.Duration, log *slog.Logger, started func()) {
	if f, ok := s.store.(changeFeed); ok {
		if err := f.WatchChanges(ctx, s.Changed, started); !errors.Is(err, errors.ErrUnsupported) {
			return
		}
	}
	if every <= 0 {
		started()
		return
	}
	s.changes.polling.Store(true)
	defer func() {
		s.changes.polling.Store(false)
		s.changes.mu.Lock()
		s.changes.own = nil
		s.changes.mu.Unlock()
	}()
	last, _ := s.lastChange(ctx)
	started()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			seq, err := s.lastChange(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("poll changes", "err", err)
				}
				continue
			}
			if seq != last {
				if !s.changes.ownRange(last, seq) {
					s.Changed()
				}
				last = seq
			}
		}
	}
}

// lastChange is the sequence number of the newest audit event, from any
// process: a change appends its audit event in its own transaction, so the
// number moves when another process committed one.
func (s *Service) lastChange(ctx context.Context) (int64, error) { return s.store.LastAuditSeq(ctx) }
