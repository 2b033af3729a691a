package sqlstore

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/crmguard/crmguard"
)

const ipRuleCols = `org_id, id, name, prefix, applies_to, target_id, created_by, created_at`

func scanIPRule(row interface{ Scan(...any) error }) (*crmguard.IPRule, error) {
	var r crmguard.IPRule
	var prefix string
	var created int64
	if err := row.Scan(&r.OrgID, &r.ID, &r.Name, &prefix, &r.AppliesTo, &r.TargetID, &r.CreatedBy, &created); err != nil {
		return nil, mapErr(err)
	}
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return nil, fmt.Errorf("ip rule %d: stored prefix %q: %w", r.ID, prefix, err)
	}
	r.Prefix, r.CreatedTime = p, fromMS(created)
	return &r, nil
}

// CreateIPRule inserts an IP rule.
func (s *Store) CreateIPRule(ctx context.Context, r *crmguard.IPRule) error {
	_, err := s.exec(ctx, `INSERT INTO ip_rules (`+ipRuleCols+`) VALUES (?,?,?,?,?,?,?,?)`,
		r.OrgID, r.ID, r.Name, r.Prefix.String(), r.AppliesTo, r.TargetID, r.CreatedBy, ms(r.CreatedTime))
	return err
}

// GetIPRule returns one rule of the org.
func (s *Store) GetIPRule(ctx context.Context, org, id crmguard.ID) (*crmguard.IPRule, error) {
	return scanIPRule(s.r().QueryRowContext(ctx, `SELECT `+ipRuleCols+` FROM ip_rules WHERE org_id = ? AND id = ?`, org, id))
}

// ListIPRules returns the org's rules, oldest first.
func (s *Store) ListIPRules(ctx context.Context, org crmguard.ID) ([]*crmguard.IPRule, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+ipRuleCols+` FROM ip_rules WHERE org_id = ? ORDER BY id`, org)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanIPRule)
}

// DeleteIPRule removes a rule.
func (s *Store) DeleteIPRule(ctx context.Context, org, id crmguard.ID) error {
	return s.execOne(ctx, `DELETE FROM ip_rules WHERE org_id = ? AND id = ?`, org, id)
}
