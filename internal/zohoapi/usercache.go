package zohoapi

import (
	"sync"
	"time"

	"github.com/crmguard/crmguard"
)

// DefaultUserCacheBytes bounds the encoded-user cache: about 27,000 users,
// 100 pages of 200.
const DefaultUserCacheBytes = 32 << 20

// userKey names one encoded user: the spelling differs by version.
type userKey struct {
	org, id  crmguard.ID
	spelling userSpelling
}

type encodedUser struct {
	json     []byte
	modified time.Time
}

// userCache holds users encoded as JSON for one change epoch, so a page of
// 200 users is 200 lookups and a copy, not a query and 200 encodings. Any
// change anywhere starts a new epoch and empties it; it never holds more
// than max bytes, dropping arbitrary entries (Go's map order) when full.
type userCache struct {
	mu    sync.RWMutex
	epoch uint64
	m     map[userKey]encodedUser
	size  int
	max   int
}

func newUserCache(max int) *userCache {
	return &userCache{m: map[userKey]encodedUser{}, max: max}
}

func (c *userCache) get(epoch uint64, k userKey) (encodedUser, bool) {
	if c.max <= 0 {
		return encodedUser{}, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.epoch != epoch {
		return encodedUser{}, false
	}
	e, ok := c.m[k]
	return e, ok
}

// put stores a user read during epoch. Data read during an older epoch than
// the cache's is dropped: a newer change may have superseded it.
func (c *userCache) put(epoch uint64, k userKey, e encodedUser) {
	if c.max <= 0 || len(e.json) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case epoch < c.epoch:
		return
	case epoch > c.epoch:
		c.epoch, c.m, c.size = epoch, map[userKey]encodedUser{}, 0
	}
	if old, ok := c.m[k]; ok {
		c.size -= len(old.json)
	}
	if c.size+len(e.json) > c.max {
		for k2, v := range c.m {
			delete(c.m, k2)
			c.size -= len(v.json)
			if c.size <= c.max*3/4 {
				break
			}
		}
	}
	c.m[k] = e
	c.size += len(e.json)
}
