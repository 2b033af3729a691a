package crmguard

import (
	"encoding/json"
	"time"
)

// Sources of a change.
const (
	SourceAPI     = "api"
	SourceCLI     = "cli"
	SourceConsole = "console"
	SourceSystem  = "system"
)

// AuditEvent records one change. It is appended in the same transaction as
// the change it describes.
type AuditEvent struct {
	Seq        int64 // assigned by the store, increasing
	OrgID      ID
	Time       time.Time
	ActorID    ID // 0 for the system
	Source     string
	ClientIP   string
	Action     string // e.g. "token.issue", "iprule.add"
	TargetType string // e.g. "user", "profile", "token"
	TargetID   ID
	Before     json.RawMessage // nil when nothing was there
	After      json.RawMessage // nil when nothing is left
}

// Actor is who makes a change and from where; services take it with every
// write and copy it into the audit event.
type Actor struct {
	OrgID    ID
	UserID   ID
	Source   string
	ClientIP string
}
