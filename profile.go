package crmguard

import "time"

// Profile types.
const (
	ProfileNormal = "normal_profile"
	ProfileLite   = "lite_profile"
	ProfilePortal = "portal_profile"
)

// Built-in profile names.
const (
	ProfileAdministrator = "Administrator"
	ProfileStandard      = "Standard"
)

// Profile decides what its users may do. Custom is false for the built-ins.
type Profile struct {
	ID           ID
	OrgID        ID
	Name         string
	DisplayLabel string
	Description  string
	Type         string
	Custom       bool
	Default      bool
	Permissions  PermSet
	CreatedBy    ID
	ModifiedBy   ID
	CreatedTime  time.Time
	ModifiedTime time.Time
}

// IsAdministrator reports whether this is the built-in Administrator profile.
func (p *Profile) IsAdministrator() bool { return !p.Custom && p.Name == ProfileAdministrator }
