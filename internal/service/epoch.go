package service

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// changes is the service's change epoch: a number that moves whenever
// anything stored may have changed, so that caches of derived data (the
// guard's principals, the API's encoded users, the sorted ID lists here)
// can tell at a glance whether what they hold is current. It moves after
// every change committed through this service, and when Watch sees that
// another process or instance wrote to the same store.
//
// Subscribers are called, in the order they subscribed, after the epoch has
// moved; a cache that compares epochs is therefore correct even before its
// subscriber has run, and the subscriber only has to free memory.
type changes struct {
	epoch atomic.Uint64
	mu    sync.Mutex
	subs  []func(epoch uint64)
}

// Epoch returns the current change epoch. It only ever grows. Read it before
// reading the data a cache keeps, and tag the cached value with it: a
// change during the read then makes the value stale, never falsely fresh.
func (s *Service) Epoch() uint64 { return s.changes.epoch.Load() }

// Subscribe calls f with the new epoch after every change. f runs on the
// goroutine that made the change (or on the watcher's), so it must be quick
// and must not call back into a write.
func (s *Service) Subscribe(f func(epoch uint64)) {
	s.changes.mu.Lock()
	s.changes.subs = append(s.changes.subs, f)
	s.changes.mu.Unlock()
}

// Changed starts a new epoch and tells the subscribers. Every write through
// the service calls it once committed; call it yourself after writing to
// the store around the service (a test setting up a state no use case
// allows), or wait for Watch to notice.
func (s *Service) Changed() {
	e := s.changes.epoch.Add(1)
	s.changes.mu.Lock()
	subs := s.changes.subs
	s.changes.mu.Unlock()
	for _, f := range subs {
		f(e)
	}
}

// changeFeed is a store that tells of other processes' commits as they
// happen (PostgreSQL's LISTEN/NOTIFY); a store that cannot answers
// errors.ErrUnsupported at once.
type changeFeed interface {
	WatchChanges(ctx context.Context, changed func()) error
}

// Watch keeps this process's caches in step with changes that another
// process (the CLI, another instance) commits to the store, until ctx
// ends. Changes made through this service start a new epoch at once,
// without it.
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
	if f, ok := s.store.(changeFeed); ok {
		if err := f.WatchChanges(ctx, s.Changed); !errors.Is(err, errors.ErrUnsupported) {
			return
		}
	}
	if every <= 0 {
		return
	}
	last, _ := s.lastChange(ctx)
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
				last = seq
				s.Changed()
			}
		}
	}
}

// lastChange is the sequence number of the newest audit event, from any
// process: a change appends its audit event in its own transaction, so the
// number moves when another process committed one.
func (s *Service) lastChange(ctx context.Context) (int64, error) { return s.store.LastAuditSeq(ctx) }
