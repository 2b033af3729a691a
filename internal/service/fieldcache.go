package service

import (
	"context"
	"sync"

	"github.com/crmguard/crmguard"
)

// fieldCache keeps the Users module's fields of each org, tagged with the
// change epoch they were read at: every write of a user validates against
// them, and reading them cost more than the rest of a one-field update.
// Any write that may touch a field (adding one, a seed, a restore, another
// process's write) is an All change and moves the epoch, and the epoch is
// read before the fields are: a change during the read leaves the entry
// stale, never falsely fresh.
type fieldCache struct {
	mu   sync.Mutex
	orgs map[crmguard.ID]fieldEntry
}

type fieldEntry struct {
	epoch  uint64
	fields []*crmguard.Field
}

// cachedFields is Fields through the cache. The slice is the caller's;
// the fields it points to are shared and must not be modified.
func (s *Service) cachedFields(ctx context.Context, org crmguard.ID) ([]*crmguard.Field, error) {
	c := &s.fields
	epoch := s.Epoch()
	c.mu.Lock()
	e, ok := c.orgs[org]
	c.mu.Unlock()
	if ok && e.epoch == epoch {
		return append([]*crmguard.Field(nil), e.fields...), nil
	}
	fields, err := s.store.ListFields(ctx, org, crmguard.ModuleUsers)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.orgs == nil {
		c.orgs = map[crmguard.ID]fieldEntry{}
	}
	if cur, ok := c.orgs[org]; !ok || cur.epoch <= epoch {
		c.orgs[org] = fieldEntry{epoch: epoch, fields: fields}
	}
	c.mu.Unlock()
	return append([]*crmguard.Field(nil), fields...), nil
}
