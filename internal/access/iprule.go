package access

import (
	"net/netip"

	"github.com/crmguard/crmguard"
)

// IPRestriction is the set of ranges a user may call from. Restricted is
// false when no rule applies to the user, who may then call from anywhere.
type IPRestriction struct {
	Restricted bool
	Allowed    []netip.Prefix
}

// RestrictionFor collects the rules that apply to a user: rules for all
// users, for the user's role, for the user's profile, or for the user.
func RestrictionFor(rules []*crmguard.IPRule, user, role, profile crmguard.ID) IPRestriction {
	var r IPRestriction
	for _, rule := range rules {
		applies := false
		switch rule.AppliesTo {
		case crmguard.IPRuleAll:
			applies = true
		case crmguard.IPRuleRole:
			applies = rule.TargetID == role
		case crmguard.IPRuleProfile:
			applies = rule.TargetID == profile
		case crmguard.IPRuleUser:
			applies = rule.TargetID == user
		}
		if applies {
			r.Restricted = true
			r.Allowed = append(r.Allowed, rule.Prefix)
		}
	}
	return r
}

// Allows reports whether addr may call. IPv4-mapped IPv6 addresses are
// compared as IPv4.
func (r *IPRestriction) Allows(addr netip.Addr) bool {
	if !r.Restricted {
		return true
	}
	addr = addr.Unmap()
	for _, p := range r.Allowed {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
