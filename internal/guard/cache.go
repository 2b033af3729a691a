package guard

import (
	"sync"
	"sync/atomic"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

// entry is a cached principal with the counters its checks use, resolved
// once so the warm path does no map lookup beyond the cache itself.
type entry struct {
	p        *crmguard.Principal
	epoch    uint64
	apiIndex int
	inflight *atomic.Int32
	credits  credits // the org's: a creditWindow, or sharedCredits (shared.go)
	// limit is the X-RATELIMIT-LIMIT header value, formatted once.
	limit []string
}

// cache maps token hashes to principals. A change names the users whose
// rows changed or whose tokens were revoked (service.Change), and their
// principals are dropped; a change the service cannot narrow (All) starts a
// new epoch, which makes every entry stale at once, and empties the cache.
// Minting a token drops nothing.
type cache struct {
	mu     sync.RWMutex
	m      map[[32]byte]*entry
	byUser map[crmguard.ID][][32]byte // the hashes of each user's entries
	max    int
}

func newCache(max int) *cache {
	return &cache{m: make(map[[32]byte]*entry), byUser: make(map[crmguard.ID][][32]byte), max: max}
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

// put keeps e unless stale says a change since its read began touched it;
// stale is asked under the lock drop takes, so a change it misses is
// dropped after the put (see service.Stale).
func (c *cache) put(h [32]byte, e *entry, stale func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if stale() {
		return
	}
	if len(c.m) >= c.max {
		clear(c.m)
		clear(c.byUser)
	}
	if _, ok := c.m[h]; !ok {
		c.byUser[e.p.UserID] = append(c.byUser[e.p.UserID], h)
	}
	c.m[h] = e
}

// drop frees the entries a change touched: the principals of the users it
// names, every one for an All change or one that changed how many users
// are active (the limits every principal carries).
func (c *cache) drop(ch *service.Change) {
	if ch.All || ch.Active { // Active: every principal's limits may differ
		c.clear()
		return
	}
	if len(ch.Users)+len(ch.Tokens) == 0 {
		return
	}
	c.mu.Lock()
	for _, ids := range [2][]crmguard.ID{ch.Users, ch.Tokens} {
		for _, id := range ids {
			for _, h := range c.byUser[id] {
				delete(c.m, h)
			}
			delete(c.byUser, id)
		}
	}
	c.mu.Unlock()
}

// clear frees every entry.
func (c *cache) clear() {
	c.mu.Lock()
	clear(c.m)
	clear(c.byUser)
	c.mu.Unlock()
}
