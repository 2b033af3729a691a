package service

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/crmguard/crmguard"
)

// IPRuleInput describes a rule to add. Target names a role, profile or user
// (by ID, name or e-mail) when AppliesTo is not "all".
type IPRuleInput struct {
	Name      string
	Range     string // CIDR, or a single address
	AppliesTo string
	Target    string
}

func ipRuleAudit(r *crmguard.IPRule) map[string]any {
	return map[string]any{"id": r.ID, "name": r.Name, "range": r.Prefix.String(), "applies_to": r.AppliesTo, "target_id": r.TargetID}
}

func invalid(apiName, msg string) error {
	return crmguard.NewError(crmguard.CodeInvalidData, msg, crmguard.Details{"api_name": apiName})
}

// ParseRange parses a CIDR range or single address (IPv4 or IPv6).
func ParseRange(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	return netip.Prefix{}, invalid("range", "invalid IP range "+s+": want a CIDR such as 203.0.113.0/24 or 2001:db8::/32, or one address")
}

// AddIPRule adds an allowed range; it needs Manage_Security.
func (s *Service) AddIPRule(ctx context.Context, a crmguard.Actor, in IPRuleInput) (*crmguard.IPRule, error) {
	p, err := ParseRange(in.Range)
	if err != nil {
		return nil, err
	}
	r := &crmguard.IPRule{ID: s.ids.New(), OrgID: a.OrgID, Name: strings.TrimSpace(in.Name), Prefix: p,
		AppliesTo: in.AppliesTo, CreatedBy: a.UserID, CreatedTime: s.Now()}
	if r.Name == "" {
		r.Name = p.String()
	}
	switch in.AppliesTo {
	case crmguard.IPRuleAll:
		if in.Target != "" {
			return nil, invalid("target", "a rule for all users takes no target")
		}
	case crmguard.IPRuleRole, crmguard.IPRuleProfile, crmguard.IPRuleUser:
	default:
		return nil, invalid("applies_to", "applies_to must be all, role, profile or user")
	}
	err = s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageSecurity); err != nil {
			return err
		}
		// The target is looked up after the permission check, so that one
		// without it learns nothing of the org's roles, profiles or users,
		// and in the transaction, so that it still exists when the rule is.
		if in.AppliesTo != crmguard.IPRuleAll {
			var err error
			if r.TargetID, err = s.resolveTarget(ctx, tx, a.OrgID, in.AppliesTo, in.Target); err != nil {
				return err
			}
		}
		if err := tx.CreateIPRule(ctx, r); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "iprule.add", "ip_rule", r.ID, nil, ipRuleAudit(r))
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) resolveTarget(ctx context.Context, st crmguard.Store, org crmguard.ID, kind, target string) (crmguard.ID, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return 0, invalid("target", "a rule for a "+kind+" needs a target")
	}
	id, isID := crmguard.ParseID(target)
	var err error
	switch kind {
	case crmguard.IPRuleRole:
		var r *crmguard.Role
		if isID {
			r, err = st.GetRole(ctx, org, id)
		} else {
			r, err = st.GetRoleByName(ctx, org, target)
		}
		if err == nil {
			return r.ID, nil
		}
	case crmguard.IPRuleProfile:
		var p *crmguard.Profile
		if isID {
			p, err = st.GetProfile(ctx, org, id)
		} else {
			p, err = st.GetProfileByName(ctx, org, target)
		}
		if err == nil {
			return p.ID, nil
		}
	case crmguard.IPRuleUser:
		var u *crmguard.User
		if isID {
			u, err = st.GetUser(ctx, org, id)
		} else {
			u, err = st.GetUserByEmail(ctx, org, target)
		}
		if err == nil {
			return u.ID, nil
		}
	}
	if errors.Is(err, crmguard.ErrNotFound) {
		return 0, invalid("target", "no "+kind+" "+target)
	}
	return 0, err
}

// ListIPRules lists the org's rules.
func (s *Service) ListIPRules(ctx context.Context, org crmguard.ID) ([]*crmguard.IPRule, error) {
	return s.store.ListIPRules(ctx, org)
}

// RemoveIPRule deletes a rule; it needs Manage_Security.
func (s *Service) RemoveIPRule(ctx context.Context, a crmguard.Actor, id crmguard.ID) error {
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageSecurity); err != nil {
			return err
		}
		r, err := tx.GetIPRule(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) {
			return crmguard.NewError(crmguard.CodeInvalidData, "the id given seems to be invalid", crmguard.Details{"id": id.String()})
		} else if err != nil {
			return err
		}
		if err := tx.DeleteIPRule(ctx, a.OrgID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "iprule.remove", "ip_rule", r.ID, ipRuleAudit(r), nil)
	})
}
