package zohoapi

import (
	"context"
	"sync"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

// orgMeta is what rendering an org's users needs, for one change epoch:
// the org, role and profile names, custom fields, and the names of users
// referenced so far. A change the service cannot narrow starts a new
// epoch, so nothing here outlives the data it was read from; a change that
// names users forgets their names (forget).
type orgMeta struct {
	epoch    uint64
	org      *crmguard.Org
	roles    map[crmguard.ID]string
	profiles map[crmguard.ID]string
	loc      *time.Location // the org's time zone
	fields   []*crmguard.Field
	custom   []*crmguard.Field

	mu    sync.RWMutex
	names map[crmguard.ID]keptName
}

// keptName is a referenced user's name, with the change sequence it was
// read at: a value built from a kept name is as old as the name (see view).
type keptName struct {
	service.UserName // First and Last are v8's owner objects
	seq              uint64
}

// meta returns the org's metadata for the current epoch.
func (a *API) meta(ctx context.Context, org crmguard.ID) (*orgMeta, error) {
	epoch := a.svc.Epoch()
	if v, ok := a.metas.Load(org); ok && v.(*orgMeta).epoch == epoch {
		return v.(*orgMeta), nil
	}
	m := &orgMeta{epoch: epoch, roles: map[crmguard.ID]string{}, profiles: map[crmguard.ID]string{}, names: map[crmguard.ID]keptName{}}
	var err error
	if m.org, err = a.svc.Org(ctx, org); err != nil {
		return nil, err
	}
	m.loc = m.org.Location() // loaded once per epoch, not per request
	roles, err := a.svc.ListRoles(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		m.roles[r.ID] = r.Name
	}
	profiles, err := a.svc.ListProfiles(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		m.profiles[p.ID] = p.Name
	}
	if m.fields, err = a.svc.Fields(ctx, org); err != nil {
		return nil, err
	}
	for _, f := range m.fields {
		if f.Custom {
			m.custom = append(m.custom, f)
		}
	}
	a.metas.Store(org, m)
	return m, nil
}

// view returns a renderer for these users: it looks up, once per epoch, the
// names of the users they reference (creator, modifier, manager), and keeps
// those no change touched since seq, when the caller began reading.
func (m *orgMeta) view(ctx context.Context, a *API, users []*crmguard.User, spelling userSpelling, seq uint64) (*userView, error) {
	var missing, older []crmguard.ID
	m.mu.RLock()
	for _, u := range users {
		for _, id := range [3]crmguard.ID{u.CreatedBy, u.ModifiedBy, u.ReportingTo} {
			if k, ok := m.names[id]; !ok && id != 0 {
				missing = append(missing, id)
			} else if ok && k.seq < seq {
				older = append(older, id)
			}
		}
	}
	m.mu.RUnlock()
	if len(older) > 0 {
		// Names kept from before seq: current if no change since renamed
		// them (then they are as new as seq), else read again.
		m.mu.Lock()
		for _, id := range dedupe(older) {
			if k, ok := m.names[id]; ok && k.seq < seq {
				if a.svc.StaleShown(k.seq, 0, id) {
					delete(m.names, id)
					missing = append(missing, id)
				} else {
					k.seq = seq
					m.names[id] = k
				}
			}
		}
		m.mu.Unlock()
	}
	var read map[crmguard.ID]service.UserName
	if len(missing) > 0 {
		var err error
		if read, err = a.svc.UserNameParts(ctx, m.org.ID, dedupe(missing)); err != nil {
			return nil, err
		}
		m.mu.Lock()
		for _, id := range missing {
			if !a.svc.StaleShown(seq, 0, id) { // asked under m.mu, which forget takes
				m.names[id] = keptName{read[id], seq} // "" for an unknown ID: asked once
			}
		}
		m.mu.Unlock()
	}
	v := &userView{loc: m.loc, spelling: spelling, roles: m.roles, profiles: m.profiles,
		custom: m.custom, now: a.svc.Now()}
	m.mu.RLock()
	v.names = make(map[crmguard.ID]string, 4)
	v.firstLast = make(map[crmguard.ID][2]string, 2)
	v.since = seq
	for _, u := range users {
		for _, id := range [3]crmguard.ID{u.CreatedBy, u.ModifiedBy, u.ReportingTo} {
			if k, ok := m.names[id]; ok {
				v.names[id] = k.Full
				// A change may have renamed id after seq and before its
				// subscriber forgot the name: what is encoded with the
				// name is cached only if no change since the name was
				// read touched it.
				v.since = min(v.since, k.seq)
			} else {
				v.names[id] = read[id].Full // read for this answer, not kept
			}
		}
		n, ok := m.names[u.ModifiedBy]
		if !ok {
			n.UserName = read[u.ModifiedBy]
		}
		v.firstLast[u.ModifiedBy] = [2]string{n.First, n.Last}
	}
	m.mu.RUnlock()
	return v, nil
}

// forget drops the names of these users: a change touched their rows.
func (m *orgMeta) forget(ids []crmguard.ID) {
	m.mu.Lock()
	for _, id := range ids {
		delete(m.names, id)
	}
	m.mu.Unlock()
}

func dedupe(ids []crmguard.ID) []crmguard.ID {
	seen := make(map[crmguard.ID]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
