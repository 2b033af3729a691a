package crmguard

import "time"

// Session is a signed-in browser session (accounts login and console). Only
// the hash of its cookie value is stored.
type Session struct {
	ID          ID
	OrgID       ID
	UserID      ID
	TokenHash   []byte
	CreatedTime time.Time
	ExpiresAt   time.Time
}
