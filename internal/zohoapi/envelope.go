package zohoapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
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

// success is the per-record entry of a record written.
func success(id crmguard.ID, msg string) web.Envelope {
	return web.Envelope{Code: "SUCCESS", Details: crmguard.Details{"id": id.String()}, Message: msg, Status: "success"}
}

// failure is the per-record entry of a record refused.
func failure(e *crmguard.Error) web.Envelope { return web.ErrorEnvelope(e) }

// recordError is the one place that turns a write's error into Zoho's
// answer. record is the JSON path of the record it is about ($.users[0]):
// a service.FieldError gets Zoho's json_path from it. It returns the error
// that belongs in the per-record answer, or nil and the error that answers
// the request (the handler returns it; anything but a crmguard.Error
// answers INTERNAL_ERROR). In a batch the service keeps request errors
// apart from its per-record results, so every result is the record's,
// NO_PERMISSION on one user included. A single record write answers for
// the request when the caller may not do the operation at all
// (NO_PERMISSION, so the pipeline gives the credit back) and when the path
// names no profile.
func recordError(err error, batch bool, record string) (*crmguard.Error, error) {
	err = located(err, record)
	e, ok := crmguard.AsError(err)
	if !ok || (!batch && (e.Code == crmguard.CodeNoPermission || e == service.ErrInvalidProfileID)) {
		return nil, err
	}
	return e, nil
}

// located returns a service.FieldError as its Zoho error, with the
// json_path Zoho gives it: the record's path, the list item's if any, then
// the field. Other errors are returned as they are.
func located(err error, record string) error {
	var fe *service.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	path := record + "."
	if fe.Parent != "" {
		path += fe.Parent + "[" + strconv.Itoa(fe.Index) + "]."
	}
	e := *fe.Err
	e.Details = make(crmguard.Details, len(fe.Err.Details)+1)
	for k, v := range fe.Err.Details {
		e.Details[k] = v
	}
	e.Details["json_path"] = path + fe.Field
	return &e
}

// batchResults fills out from a batch write's results: results[j] is the
// outcome of the record at index at[j] of the body {"<key>":[...]}, nil
// for success(id(j)).
func batchResults(out []web.Envelope, key string, at []int, results []error, id func(j int) crmguard.ID, msg string) error {
	for j, res := range results {
		if res == nil {
			out[at[j]] = success(id(j), msg)
			continue
		}
		e, err := recordError(res, true, recordPath(key, at[j]))
		if e == nil {
			return err
		}
		out[at[j]] = failure(e)
	}
	return nil
}

// writeRecords answers a write with its per-record answer, {"<key>":[...]}.
func writeRecords(w http.ResponseWriter, status int, key string, out ...web.Envelope) error {
	return web.WriteJSON(w, status, map[string][]web.Envelope{key: out})
}

// writeStatus is the HTTP status of a per-record answer: ok when all
// succeed, 400 when all fail, 207 when mixed (200 before v8). On v2 and
// v2.1 a request whose every failure is an unknown ID answers 200, as
// Zoho's v2 error table gives it.
func writeStatus(r *http.Request, out []web.Envelope, ok int) int {
	failed, unknownOnly := 0, true
	for _, o := range out {
		if o.Status == "error" {
			failed++
			if o.Code != crmguard.CodeInvalidData || o.Message != service.ErrInvalidUserID.Message {
				unknownOnly = false
			}
		}
	}
	switch {
	case failed == 0:
		return ok
	case failed == len(out) && !(unknownOnly && legacyVersion(r)):
		return http.StatusBadRequest
	case failed == len(out) || r.PathValue("version") != "v8":
		return http.StatusOK
	}
	return http.StatusMultiStatus
}
