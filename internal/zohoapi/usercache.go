package zohoapi

import (
	"sync"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
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

// shown is a cached user with the users its JSON shows: itself, and the
// creator, modifier and manager it names.
type shown struct {
	encodedUser
	refs [4]crmguard.ID
}

// userCache holds users encoded as JSON, so a page of 200 users is 200
// lookups and a copy, not a query and 200 encodings. A change that names
// users (service.Change) drops the entries that show them: their own, and
// those that name them as creator, modifier or manager, whose JSON carries
// their names. A change the service cannot narrow starts a new epoch and
// empties it. It never holds more than max bytes, dropping arbitrary
// entries (Go's map order) when full.
type userCache struct {
	mu    sync.RWMutex
	epoch uint64
	m     map[userKey]shown
	// refs lists, per user, the keys of the entries that show that user;
	// a key may linger after its entry went (nrefs counts them all), and
	// the lists are rebuilt when they outgrow the entries.
	refs  map[crmguard.ID][]userKey
	nrefs int
	size  int
	max   int
}

func newUserCache(max int) *userCache {
	return &userCache{m: map[userKey]shown{}, refs: map[crmguard.ID][]userKey{}, max: max}
}

// dropChanged drops the encoded users and the names a change touched.
func (a *API) dropChanged(c *service.Change) {
	a.users.drop(c)
	if c.All || len(c.Renamed) == 0 {
		return // an All change moved the epoch: every orgMeta is stale
	}
	a.metas.Range(func(_, v any) bool {
		v.(*orgMeta).forget(c.Renamed)
		return true
	})
}

// on reports whether the cache keeps anything (--user-cache-mib is not 0).
func (c *userCache) on() bool { return c.max > 0 }

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
	return e.encodedUser, ok
}

// userPut is one user to cache.
type userPut struct {
	k userKey
	shown
}

// put stores users read since seq, during epoch, unless a change since
// then touched what they show: their own row, or the name of a user they
// name (stale is service.StaleShown, asked under the lock drop takes).
// Data read during an older epoch than the cache's is dropped: a newer
// change may have superseded it.
func (c *userCache) put(epoch, seq uint64, stale func(seq uint64, self crmguard.ID, names ...crmguard.ID) bool, us []userPut) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case epoch < c.epoch:
		return
	case epoch > c.epoch:
		c.reset(epoch)
	}
	for i := range us {
		u := &us[i]
		if len(u.json) > c.max/4 || stale(seq, u.refs[0], u.refs[1:]...) {
			continue
		}
		old, ok := c.m[u.k]
		if ok {
			c.size -= len(old.json)
		}
		if !ok || old.refs != u.refs {
			c.index(u.k, &u.shown)
		}
		if c.size+len(u.json) > c.max {
			for k2, v := range c.m {
				delete(c.m, k2)
				c.size -= len(v.json)
				if c.size <= c.max*3/4 {
					break
				}
			}
		}
		c.m[u.k] = u.shown
		c.size += len(u.json)
	}
	if c.nrefs > 4*len(c.m)+1024 {
		clear(c.refs)
		c.nrefs = 0
		for k, v := range c.m {
			c.index(k, &v)
		}
	}
}

// index lists k under each user its entry shows.
func (c *userCache) index(k userKey, s *shown) {
	for i, id := range s.refs {
		if id != 0 && !contains(s.refs[:i], id) {
			c.refs[id] = append(c.refs[id], k)
			c.nrefs++
		}
	}
}

func contains(ids []crmguard.ID, id crmguard.ID) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

func (c *userCache) reset(epoch uint64) {
	c.epoch, c.m, c.refs, c.size, c.nrefs = epoch, map[userKey]shown{}, map[crmguard.ID][]userKey{}, 0, 0
}

// drop frees the entries of the users a change names and, for those it
// renamed, the entries that show their names; everything on an All
// change.
func (c *userCache) drop(ch *service.Change) {
	if !ch.All && len(ch.Users) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch.All {
		c.reset(max(c.epoch, ch.Epoch))
		return
	}
	for _, id := range ch.Users {
		renamed := contains(ch.Renamed, id)
		for _, k := range c.refs[id] {
			if !renamed && k.id != id {
				continue // shows only the name, which did not change
			}
			if v, ok := c.m[k]; ok {
				c.size -= len(v.json)
				delete(c.m, k)
			}
		}
		if renamed {
			c.nrefs -= len(c.refs[id])
			delete(c.refs, id)
		}
	}
}
