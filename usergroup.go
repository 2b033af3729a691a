package crmguard

import "time"

// Group source types crmguard keeps. Zoho's groups also take territories
// and other groups as sources
// (https://www.zoho.com/crm/developer/docs/api/v8/create-user-group.html);
// crmguard keeps users and roles only.
const (
	GroupSourceUsers = "users"
	GroupSourceRoles = "roles"
)

// UserGroup is a named set of users, given directly or through roles.
type UserGroup struct {
	ID           ID
	OrgID        ID
	Name         string
	Description  string
	Sources      []GroupSource
	CreatedBy    ID
	ModifiedBy   ID
	CreatedTime  time.Time
	ModifiedTime time.Time
}

// GroupSource is one member of a group: a user, or a role whose users (and
// with Subordinates those of the roles below it) belong to the group.
type GroupSource struct {
	Type         string // GroupSourceUsers or GroupSourceRoles
	ID           ID
	Subordinates bool
}
