package crmguard

import (
	"net/netip"
	"time"
)

// IP rule scopes: whom a rule applies to.
const (
	IPRuleAll     = "all"
	IPRuleRole    = "role"
	IPRuleProfile = "profile"
	IPRuleUser    = "user"
)

// IPRule allows a range of client addresses for all users of the org or for
// one role, profile or user. A user to whom any rule applies may call the
// API only from an address inside one of those rules' ranges.
type IPRule struct {
	ID          ID
	OrgID       ID
	Name        string
	Prefix      netip.Prefix
	AppliesTo   string // one of the IPRule* scopes
	TargetID    ID     // role, profile or user; 0 for IPRuleAll
	CreatedBy   ID
	CreatedTime time.Time
}
