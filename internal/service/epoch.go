package service

import (
	"context"
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

// Watch polls the store's change sequence every interval until ctx ends and
// starts a new epoch when it moved, so changes made by another process (the
// CLI, another instance) reach this process's caches within one interval.
// Changes made through this service start one at once, without waiting.
func (s *Service) Watch(ctx context.Context, every time.Duration, log *slog.Logger) {
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
