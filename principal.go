package crmguard

import (
	"net/netip"
	"time"
)

// Principal is what an access token stands for on one request: the token,
// its user, the user's profile, role and IP restriction, and the org's API
// limits. It is built on the cold path and cached; the warm path only reads.
type Principal struct {
	TokenID  ID
	ClientID string
	OrgID    ID
	UserID   ID
	UserName string
	// Email, UserStatus, ProfileName and Scopes name the caller in words,
	// for the pipeline's account of why it allowed or denied a call.
	Email       string
	UserStatus  string
	ProfileID   ID
	ProfileName string
	Scopes      string
	RoleID      ID
	ExpiresAt   time.Time

	UserActive  bool
	Permissions PermSet
	// ScopeMask is the access.ScopeMask of the token's scopes.
	ScopeMask uint64

	IPRestricted bool
	AllowedIPs   []netip.Prefix

	Credits     int // per rolling 24 hours, org-wide
	Concurrency int // calls in flight per org and client
}

// Can reports whether the principal's profile grants the named permission.
func (p *Principal) Can(perm string) bool { return p.Permissions.Has(perm) }
