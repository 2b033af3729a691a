package crmguard

import (
	"encoding/json"
	"time"
)

// User statuses as stored and as read back by the API.
const (
	UserActive   = "active"
	UserDisabled = "disabled" // deactivated; "inactive" on input
	UserDeleted  = "deleted"
)

// User is a CRM user of one org.
type User struct {
	ID        ID
	OrgID     ID
	Email     string
	FirstName string
	LastName  string
	RoleID    ID
	ProfileID ID
	Status    string
	Confirmed bool
	TimeZone  string
	Locale    string
	// ReportingTo is the user this one reports to, 0 for none.
	ReportingTo ID
	// ZUID is the user's Zoho Accounts ID (GET /oauth/user/info, the Users
	// API's zuid): the store assigns it when it inserts the user, from
	// 700000001 up, so a JavaScript client reads it exactly. 0 until then.
	ZUID int64
	// Extra holds the optional system fields (phone, city, ...) and the
	// custom fields, by API name, each value validated JSON. Unset fields
	// are absent.
	Extra map[string]json.RawMessage
	// PasswordHash is empty until the user sets a password. It is an
	// adaptive hash, never the password.
	PasswordHash string
	// MustChangePassword is set for a one-time password.
	MustChangePassword bool
	// InviteHash is the SHA-256 of the user's pending invitation token, nil
	// when there is none; InviteExpires is when the link stops working.
	InviteHash    []byte
	InviteExpires time.Time
	CreatedBy     ID
	ModifiedBy    ID
	CreatedTime   time.Time
	ModifiedTime  time.Time
}

// FullName is the display name Zoho derives from first and last name.
func (u *User) FullName() string {
	switch {
	case u.FirstName == "":
		return u.LastName
	case u.LastName == "":
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// Active reports whether the user may use the API.
func (u *User) Active() bool { return u.Status == UserActive }

// UserFilter selects users. Zero fields select everything; set fields are
// ANDed.
type UserFilter struct {
	Statuses      []string // any of these statuses
	Confirmed     *bool
	ProfileID     ID        // users of this profile
	IDs           []ID      // only these users
	ModifiedAfter time.Time // modified strictly after this instant
}
