package oauth

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
)

// entry is a cached principal with the counters its checks use, resolved
// once so the warm path does no map lookup beyond the cache itself.
type entry struct {
	p        *crmguard.Principal
	epoch    uint64
	apiIndex int
	inflight *atomic.Int32
	credits  *creditWindow
}

// cache maps token hashes to principals. Every change anywhere bumps the
// epoch, which makes every entry stale at once: simple, and correct on the
// very next request.
type cache struct {
	epoch atomic.Uint64
	mu    sync.RWMutex
	m     map[[32]byte]*entry
	max   int
}

func newCache(max int) *cache {
	return &cache{m: make(map[[32]byte]*entry), max: max}
}

func (c *cache) get(h *[32]byte) (*entry, bool) {
	c.mu.RLock()
	e, ok := c.m[*h]
	c.mu.RUnlock()
	if !ok || e.epoch != c.epoch.Load() {
		return nil, false
	}
	return e, true
}

func (c *cache) put(h [32]byte, e *entry) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[h] = e
	c.mu.Unlock()
}

// invalidate drops every entry (lazily: their epoch no longer matches).
func (c *cache) invalidate() {
	c.epoch.Add(1)
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// watch polls the change sequence of the store and invalidates the cache
// when another process (the CLI, another instance) made a change. Changes
// made through this process invalidate at once, without waiting.
func (g *Guard) watch(ctx context.Context, every time.Duration, log *slog.Logger) {
	last, _ := g.svc.LastChange(ctx)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			seq, err := g.svc.LastChange(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("poll changes", "err", err)
				}
				continue
			}
			if seq != last {
				last = seq
				g.cache.invalidate()
			}
		}
	}
}
