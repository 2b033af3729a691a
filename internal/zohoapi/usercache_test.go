package zohoapi

import (
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

// TestUserCacheDropsWhatAChangeShows: a change to a user drops that user's
// own entries; the entries that show the user's name (as manager, creator
// or modifier) go only when the name may have changed.
func TestUserCacheDropsWhatAChangeShows(t *testing.T) {
	const org, x, y, z = crmguard.ID(1), crmguard.ID(10), crmguard.ID(20), crmguard.ID(30)
	fresh := func(uint64, crmguard.ID, ...crmguard.ID) bool { return false }
	fill := func() *userCache {
		c := newUserCache(1 << 20)
		c.put(1, 0, fresh, []userPut{
			{userKey{org, x, 0}, shown{encodedUser{json: []byte(`"x"`)}, [4]crmguard.ID{x, z, z, 0}}},
			{userKey{org, y, 0}, shown{encodedUser{json: []byte(`"y"`)}, [4]crmguard.ID{y, z, z, x}}}, // reports to x
			{userKey{org, z, 0}, shown{encodedUser{json: []byte(`"z"`)}, [4]crmguard.ID{z, z, z, 0}}},
		})
		return c
	}
	has := func(c *userCache, id crmguard.ID) bool {
		_, ok := c.get(1, userKey{org, id, 0})
		return ok
	}

	c := fill()
	c.drop(&service.Change{Users: []crmguard.ID{x}})
	if has(c, x) || !has(c, y) || !has(c, z) {
		t.Errorf("x's city changed: want only x's entry gone; x %v, y %v, z %v", has(c, x), has(c, y), has(c, z))
	}

	c = fill()
	c.drop(&service.Change{Users: []crmguard.ID{x}, Renamed: []crmguard.ID{x}})
	if has(c, x) || has(c, y) || !has(c, z) {
		t.Errorf("x renamed: want x's and y's entries gone (y shows x's name); x %v, y %v, z %v", has(c, x), has(c, y), has(c, z))
	}

	c = fill()
	c.drop(&service.Change{Users: []crmguard.ID{z}, Renamed: []crmguard.ID{z}})
	if has(c, x) || has(c, y) || has(c, z) {
		t.Error("z, who made and last changed everyone, renamed: want every entry gone")
	}

	// A put refused as stale for what it shows leaves nothing behind.
	c = newUserCache(1 << 20)
	var asked []crmguard.ID
	c.put(1, 0, func(_ uint64, self crmguard.ID, names ...crmguard.ID) bool {
		asked = append(append(asked, self), names...)
		return true
	}, []userPut{{userKey{org, y, 0}, shown{encodedUser{json: []byte(`"y"`)}, [4]crmguard.ID{y, z, z, x}}}})
	if has(c, y) || len(asked) != 4 || asked[0] != y || asked[3] != x {
		t.Errorf("stale put: cached %v, asked about %v (want self y, then creator, modifier, manager)", has(c, y), asked)
	}
}
