package service

import (
	"context"
	"slices"
	"sync"

	"github.com/crmguard/crmguard"
)

// idLists caches, per org and user type, the sorted IDs of the type's
// users, so that page 5,000 costs what page 1 does. A list is built once
// per epoch and then patched, not rebuilt, after a change that names the
// users it touched: their rows are read again (one query) and each is taken
// out of the list and put back if it still belongs to the type. Lists are
// read by pagers while a patch is made: a patch makes a new slice, and a
// published slice never changes.
type idLists struct {
	mu sync.Mutex
	m  map[idListKey]*idList
	// builds holds, per list, the lock of a full build: callers that all
	// find a list missing (after an All change, say) read it once, not
	// each (a million IDs per read).
	builds map[idListKey]*sync.Mutex
}

// buildLock is the lock of key's full builds.
func (c *idLists) buildLock(key idListKey) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.builds == nil {
		c.builds = map[idListKey]*sync.Mutex{}
	}
	b := c.builds[key]
	if b == nil {
		b = &sync.Mutex{}
		c.builds[key] = b
	}
	return b
}

type idListKey struct {
	org crmguard.ID
	typ string
}

type idList struct {
	// seq is the change sequence the list is current at: it reflects every
	// change numbered up to seq (and maybe some later ones, which a patch
	// applies again without harm: a patch sets a user's place from the
	// row as read after the change).
	seq uint64
	f   crmguard.UserFilter // the type's filter: it names the admin profile, fixed until an All change
	ids []crmguard.ID
}

// maxPatch is the most changed users a patch reads back; a list behind by
// more is built again.
const maxPatch = 500

// userIDs returns the sorted IDs a query selects before paging.
func (s *Service) userIDs(ctx context.Context, org crmguard.ID, q UserQuery) ([]crmguard.ID, error) {
	if q.IDs == nil && q.ModifiedSince.IsZero() && q.Type != "CurrentUser" {
		return s.typeIDs(ctx, org, q.Type)
	}
	f, err := s.typeFilter(ctx, org, q.Type, q.Caller)
	if err != nil {
		return nil, err
	}
	if q.IDs != nil {
		if f.IDs != nil { // CurrentUser and ids: the caller if listed
			keep := []crmguard.ID{}
			for _, id := range q.IDs {
				if id == q.Caller {
					keep = append(keep, id)
				}
			}
			f.IDs = keep
		} else {
			f.IDs = q.IDs
		}
	}
	f.ModifiedAfter = q.ModifiedSince
	return s.store.ListUserIDs(ctx, org, f)
}

// typeIDs returns the sorted IDs of a type's users, from the cache: as it
// is, patched, or built.
func (s *Service) typeIDs(ctx context.Context, org crmguard.ID, typ string) ([]crmguard.ID, error) {
	start := s.Seq() // before any read: the list built reflects every change up to it
	key := idListKey{org, typ}
	s.lists.mu.Lock()
	l := s.lists.m[key]
	s.lists.mu.Unlock()
	if l != nil && l.seq >= start {
		return l.ids, nil
	}
	if l != nil {
		return s.patchedIDs(ctx, key, l, start)
	}
	return s.builtIDs(ctx, key, start)
}

// patchedIDs brings l up to date, patching it with the users changed since
// it was made, or builds it again when the change log cannot say which.
func (s *Service) patchedIDs(ctx context.Context, key idListKey, l *idList, start uint64) ([]crmguard.ID, error) {
	users, now, ok := s.ChangedUsers(l.seq)
	if !ok || len(users) > maxPatch {
		return s.builtIDs(ctx, key, start)
	}
	ids := l.ids
	if len(users) > 0 {
		// Read after now was taken: the rows reflect every change up to it.
		slices.Sort(users)
		users = slices.Compact(users)
		rows, err := s.store.GetUsers(ctx, key.org, users)
		if err != nil {
			return nil, err
		}
		ids = patchIDs(l.ids, users, rows, l.f)
	}
	s.lists.install(key, &idList{seq: now, f: l.f, ids: ids})
	return ids, nil
}

// builtIDs reads the list whole, once for all the callers that wait for
// it: one that waited takes the list another built since start.
func (s *Service) builtIDs(ctx context.Context, key idListKey, start uint64) ([]crmguard.ID, error) {
	b := s.lists.buildLock(key)
	b.Lock()
	defer b.Unlock()
	s.lists.mu.Lock()
	l := s.lists.m[key]
	s.lists.mu.Unlock()
	if l != nil && l.seq >= start {
		return l.ids, nil
	}
	f, err := s.typeFilter(ctx, key.org, key.typ, 0)
	if err != nil {
		return nil, err
	}
	ids, err := s.store.ListUserIDs(ctx, key.org, f)
	if err != nil {
		return nil, err
	}
	s.lists.install(key, &idList{seq: start, f: f, ids: ids})
	return ids, nil
}

// install keeps l unless the cache holds a list at least as current.
func (c *idLists) install(key idListKey, l *idList) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[idListKey]*idList{}
	}
	if old := c.m[key]; old == nil || old.seq < l.seq {
		c.m[key] = l
	}
}

// patchIDs returns a new sorted list: ids without changed (sorted, no
// repeats), then with those of rows (the changed users as they are now;
// one missing no longer exists) that f selects. When that is ids itself
// (the changes kept every user in or out of the list, as most do), it
// returns ids: a million IDs are 8 MB to copy.
func patchIDs(ids, changed []crmguard.ID, rows []*crmguard.User, f crmguard.UserFilter) []crmguard.ID {
	keep := make(map[crmguard.ID]bool, len(rows))
	for _, u := range rows {
		if selects(f, u) {
			keep[u.ID] = true
		}
	}
	same := true
	for _, id := range changed {
		if _, found := slices.BinarySearch(ids, id); found != keep[id] {
			same = false
			break
		}
	}
	if same {
		return ids
	}
	out := make([]crmguard.ID, 0, len(ids)+len(keep))
	rest := ids
	for _, id := range changed {
		i, found := slices.BinarySearch(rest, id)
		out = append(out, rest[:i]...)
		if keep[id] {
			out = append(out, id)
		}
		if found {
			i++
		}
		rest = rest[i:]
	}
	return append(out, rest...)
}

// selects reports whether f, a user type's filter (statuses, confirmed,
// profile), selects u, as the store's ListUserIDs would.
func selects(f crmguard.UserFilter, u *crmguard.User) bool {
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, u.Status) {
		return false
	}
	if f.Confirmed != nil && u.Confirmed != *f.Confirmed {
		return false
	}
	if f.ProfileID != 0 && u.ProfileID != f.ProfileID {
		return false
	}
	if f.IDs != nil && !slices.Contains(f.IDs, u.ID) {
		return false
	}
	return f.ModifiedAfter.IsZero() || u.ModifiedTime.After(f.ModifiedAfter)
}
