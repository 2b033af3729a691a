package crmguard

import "time"

// Role is a node of the org's role tree. ReportingTo is 0 for the top role.
type Role struct {
	ID            ID
	OrgID         ID
	Name          string
	DisplayLabel  string
	Description   string
	ReportingTo   ID
	ShareWithPeer bool
	AdminUser     bool
	// ForecastManager is a user ID, 0 for none.
	ForecastManager ID
	CreatedBy       ID
	ModifiedBy      ID
	CreatedTime     time.Time
	ModifiedTime    time.Time
}
