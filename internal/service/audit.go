package service

import (
	"context"

	"github.com/crmguard/crmguard"
)

// Audit lists the actor's org's audit events that f selects, newest first
// (at most 100 when f has no Limit); the store applies every field, so a
// match is found however old it is. The log tells who holds which profile,
// where tokens were issued from and which security settings changed, so
// reading it takes Manage_Security (the Administrator profile holds it),
// not any Manage_* permission.
func (s *Service) Audit(ctx context.Context, a crmguard.Actor, f crmguard.AuditFilter) ([]*crmguard.AuditEvent, error) {
	if err := s.requirePermission(ctx, s.store, a, crmguard.PermManageSecurity); err != nil {
		return nil, err
	}
	return s.store.ListAudit(ctx, a.OrgID, f)
}
