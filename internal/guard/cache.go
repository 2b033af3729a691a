package guard

import (
	"sync"
	"sync/atomic"

	"github.com/crmguard/crmguard"
)

// entry is a cached principal with the counters its checks use, resolved
// once so the warm path does no map lookup beyond the cache itself.
type entry struct {
	p        *crmguard.Principal
	epoch    uint64
	apiIndex int
	inflight *atomic.Int32
	credits  *creditWindow  // nil when the credits are shared
	shared   *sharedCredits // set instead when they are (see shared.go)
	// limit is the X-RATELIMIT-LIMIT header value, formatted once.
	limit []string
}

// cache maps token hashes to principals. Every change anywhere starts a new
// service epoch, which makes every entry stale at once: simple, and correct
// on the very next request.
type cache struct {
	mu  sync.RWMutex
	m   map[[32]byte]*entry
	max int
}

func newCache(max int) *cache {
	return &cache{m: make(map[[32]byte]*entry), max: max}
}

// get returns the entry of h if it was read during epoch, the current one.
func (c *cache) get(h *[32]byte, epoch uint64) (*entry, bool) {
	c.mu.RLock()
	e, ok := c.m[*h]
	c.mu.RUnlock()
	if !ok || e.epoch != epoch {
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

// clear frees every entry. The epoch has already made them stale; this
// only gives back their memory.
func (c *cache) clear(uint64) {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
