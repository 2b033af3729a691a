package service

import (
	"github.com/crmguard/crmguard"
)

// FieldError is a record's error about one of its fields. Err is the Zoho
// error, with the field's api_name in its details; where the field sits is
// said apart, so that each transport words it its own way (the API adds
// Zoho's json_path from the record's place in the body). Parent and Index
// name an item of a list field, such as permissions_details[2].
type FieldError struct {
	Err    *crmguard.Error
	Field  string // the api_name
	Parent string // the list field of an item, or ""
	Index  int    // the item's index in Parent
}

func (e *FieldError) Error() string { return e.Err.Error() }

// Unwrap lets crmguard.AsError find the Zoho error.
func (e *FieldError) Unwrap() error { return e.Err }

// recordErr is a record's error about field api.
func recordErr(code, msg, api string, more crmguard.Details) *FieldError {
	d := crmguard.Details{"api_name": api}
	for k, v := range more {
		d[k] = v
	}
	return &FieldError{Err: crmguard.NewError(code, msg, d), Field: api}
}

func badValue(api string, more crmguard.Details) *FieldError {
	return recordErr(crmguard.CodeInvalidData, "invalid data", api, more)
}
