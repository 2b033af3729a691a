package access

import "strings"

// RouteScope is a scope an API route requires, e.g. ZohoCRM.users.READ.
// Routes name one; a token's scopes are compiled once into a ScopeMask of
// the RouteScopes they cover, so the per-request check is one AND.
type RouteScope uint8

// The route scopes crmguard serves.
const (
	ScopeUsersRead RouteScope = iota
	ScopeUsersCreate
	ScopeUsersUpdate
	ScopeUsersDelete
	ScopeOrgRead
	ScopeOrgUpdate
	ScopeProfilesRead
	ScopeProfilesCreate
	ScopeProfilesUpdate
	ScopeProfilesDelete
	ScopeRolesRead
	ScopeRolesCreate
	ScopeRolesUpdate
	ScopeRolesDelete
	ScopeFieldsRead
	ScopeOrgCreate
	ScopeOrgDelete
	ScopeTerritoriesRead
	ScopeTerritoriesCreate
	ScopeTerritoriesUpdate
	ScopeTerritoriesDelete
	ScopeUserGroupsRead
	ScopeUserGroupsCreate
	ScopeUserGroupsUpdate
	ScopeUserGroupsDelete
	// ScopeAccountsProfileRead is Zoho Accounts' AaaServer.profile.READ,
	// the scope of GET /oauth/user/info, not a CRM scope.
	ScopeAccountsProfileRead
	numRouteScopes
)

type routeScopeDef struct{ resource, op string }

// routeScopes gives each RouteScope its lower-cased resource and operation.
var routeScopes = [numRouteScopes]routeScopeDef{
	ScopeUsersRead:           {"users", "read"},
	ScopeUsersCreate:         {"users", "create"},
	ScopeUsersUpdate:         {"users", "update"},
	ScopeUsersDelete:         {"users", "delete"},
	ScopeOrgRead:             {"org", "read"},
	ScopeOrgUpdate:           {"org", "update"},
	ScopeProfilesRead:        {"settings.profiles", "read"},
	ScopeProfilesCreate:      {"settings.profiles", "create"},
	ScopeProfilesUpdate:      {"settings.profiles", "update"},
	ScopeProfilesDelete:      {"settings.profiles", "delete"},
	ScopeRolesRead:           {"settings.roles", "read"},
	ScopeRolesCreate:         {"settings.roles", "create"},
	ScopeRolesUpdate:         {"settings.roles", "update"},
	ScopeRolesDelete:         {"settings.roles", "delete"},
	ScopeFieldsRead:          {"settings.fields", "read"},
	ScopeOrgCreate:           {"org", "create"},
	ScopeOrgDelete:           {"org", "delete"},
	ScopeTerritoriesRead:     {"settings.territories", "read"},
	ScopeTerritoriesCreate:   {"settings.territories", "create"},
	ScopeTerritoriesUpdate:   {"settings.territories", "update"},
	ScopeTerritoriesDelete:   {"settings.territories", "delete"},
	ScopeUserGroupsRead:      {"settings.user_groups", "read"},
	ScopeUserGroupsCreate:    {"settings.user_groups", "create"},
	ScopeUserGroupsUpdate:    {"settings.user_groups", "update"},
	ScopeUserGroupsDelete:    {"settings.user_groups", "delete"},
	ScopeAccountsProfileRead: {"aaaserver.profile", "read"},
}

// String is the scope's canonical name, e.g. "ZohoCRM.users.READ".
func (s RouteScope) String() string {
	if s == ScopeAccountsProfileRead {
		return "AaaServer.profile.READ"
	}
	d := routeScopes[s]
	return "ZohoCRM." + d.resource + "." + strings.ToUpper(d.op)
}

// ScopeMask is the set of RouteScopes a token covers, one bit each.
type ScopeMask uint64

// Covers reports whether the mask includes s.
func (m ScopeMask) Covers(s RouteScope) bool { return m&(1<<s) != 0 }

// CompileScopes turns a token's scope string (comma- or space-separated, as
// Zoho accepts both) into the mask of route scopes it covers. Names match
// case-insensitively. A scope of ZohoCRM.<resource>.<op> covers a route of
// the same resource when op is the route's operation, ALL, or WRITE (for
// CREATE, UPDATE and DELETE); ZohoCRM.settings.<op> covers every settings
// resource the same way. Unknown scopes cover nothing.
func CompileScopes(scopes string) ScopeMask {
	var m ScopeMask
	for _, raw := range strings.FieldsFunc(scopes, func(r rune) bool { return r == ',' || r == ' ' }) {
		name := strings.ToLower(strings.TrimSpace(raw))
		if name == "aaaserver.profile.read" || name == "aaaserver.profile.all" {
			m |= 1 << ScopeAccountsProfileRead
			continue
		}
		rest, ok := strings.CutPrefix(name, "zohocrm.")
		if !ok {
			continue
		}
		dot := strings.LastIndexByte(rest, '.')
		if dot <= 0 {
			continue
		}
		res, op := rest[:dot], rest[dot+1:]
		for i, d := range routeScopes {
			if RouteScope(i) == ScopeAccountsProfileRead {
				continue // a Zoho Accounts scope: no CRM scope covers it
			}
			if res != d.resource && !(res == "settings" && strings.HasPrefix(d.resource, "settings.")) {
				continue
			}
			if op == d.op || op == "all" || (op == "write" && d.op != "read") {
				m |= 1 << i
			}
		}
	}
	return m
}

// KnownScope reports whether name (case-insensitive) is a scope crmguard can
// grant: a CRM scope of a known resource or group, or AaaServer.profile.READ.
func KnownScope(name string) bool {
	return CompileScopes(name) != 0
}
