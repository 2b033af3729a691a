package crmguard

import "time"

// Territory is a node of the org's territory tree
// (https://www.zoho.com/crm/developer/docs/api/v8/get-territories.html).
// ReportingTo is 0 for the root territory; Manager is a user ID, 0 for none.
type Territory struct {
	ID          ID
	OrgID       ID
	Name        string
	Description string
	ReportingTo ID
	Manager     ID
	// PermissionType is read_only or read_write_delete: what the members
	// may do with the territory's records.
	PermissionType string
	CreatedBy      ID
	ModifiedBy     ID
	CreatedTime    time.Time
	ModifiedTime   time.Time
}

// The permission types Zoho's Territories API accepts.
const (
	TerritoryReadOnly        = "read_only"
	TerritoryReadWriteDelete = "read_write_delete"
)
