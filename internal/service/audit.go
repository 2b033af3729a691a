package service

import (
	"context"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
)

// AuditFilter narrows the audit log; zero fields match everything.
type AuditFilter struct {
	Action       string // exact, or a prefix ending in "." (e.g. "user.")
	Target       crmguard.ID
	Actor        crmguard.ID
	Since, Until time.Time // zero: open
	Limit        int       // newest first; 0 means 100
}

// Audit lists the actor's org's audit events, newest first. The log tells
// who holds which profile, where tokens were issued from and which
// security settings changed, so reading it takes Manage_Security (the
// Administrator profile holds it), not any Manage_* permission.
func (s *Service) Audit(ctx context.Context, a crmguard.Actor, f AuditFilter) ([]*crmguard.AuditEvent, error) {
	if err := s.requirePermission(ctx, s.store, a, crmguard.PermManageSecurity); err != nil {
		return nil, err
	}
	org := a.OrgID
	if f.Limit <= 0 {
		f.Limit = 100
	}
	scan := f.Limit
	if f.Action != "" || f.Target != 0 || f.Actor != 0 || !f.Since.IsZero() || !f.Until.IsZero() {
		scan = max(f.Limit*20, 10000) // filtered in memory over the newest events
	}
	evs, err := s.store.ListAudit(ctx, org, scan)
	if err != nil {
		return nil, err
	}
	out := evs[:0]
	for _, e := range evs {
		if f.Action != "" && e.Action != f.Action && !(strings.HasSuffix(f.Action, ".") && strings.HasPrefix(e.Action, f.Action)) {
			continue
		}
		if (f.Target != 0 && e.TargetID != f.Target) || (f.Actor != 0 && e.ActorID != f.Actor) ||
			(!f.Since.IsZero() && e.Time.Before(f.Since)) || (!f.Until.IsZero() && !e.Time.Before(f.Until)) {
			continue
		}
		out = append(out, e)
		if len(out) == f.Limit {
			break
		}
	}
	return out, nil
}
