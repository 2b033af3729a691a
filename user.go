package crmguard

import "time"

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
	// PasswordHash is empty until the user sets a password. It is an
	// adaptive hash, never the password.
	PasswordHash string
	// MustChangePassword is set for a one-time password.
	MustChangePassword bool
	CreatedBy          ID
	ModifiedBy         ID
	CreatedTime        time.Time
	ModifiedTime       time.Time
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
