package crmguard

import "time"

// TransferJob is one transfer-and-delete request: Zoho schedules it as a
// job and answers its ID, which the status call then reads. crmguard
// finishes the job inside the request, so a stored job is always
// TransferCompleted.
type TransferJob struct {
	ID            ID
	OrgID         ID
	Status        string
	Items         []TransferItem
	CreatedBy     ID
	CreatedTime   time.Time
	CompletedTime time.Time
}

// TransferCompleted is the status of a finished job, as Zoho's status
// call words it ("completed", "failed" or "in_progress").
const TransferCompleted = "completed"

// TransferItem is one user deleted by a job, and what moved where.
type TransferItem struct {
	UserID     ID   `json:"id,omitzero"`
	To         ID   `json:"transfer_to,omitzero"`
	Records    bool `json:"records"`
	Assignment bool `json:"assignment"`
	Criteria   bool `json:"criteria"`
	// SubordinatesTo is the user the deleted user's direct reports now
	// report to; SubordinatesMoved how many they were.
	SubordinatesTo    ID  `json:"subordinates_to,omitzero"`
	SubordinatesMoved int `json:"subordinates_moved"`
	// ClientsDeleted counts the OAuth clients the user had made.
	ClientsDeleted int `json:"clients_deleted"`
}
