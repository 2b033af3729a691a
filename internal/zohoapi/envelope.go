package zohoapi

import (
	"time"
)

// zohoTime is Zoho's time format: ISO-8601, second precision, with offset.
const zohoTime = "2006-01-02T15:04:05-07:00"

// formatTime renders t in loc, or nil for the zero time.
func formatTime(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(loc).Format(zohoTime)
	return &s
}

// str renders an empty string as JSON null, as Zoho does for unset fields.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
