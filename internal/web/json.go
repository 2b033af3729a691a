package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/crmguard/crmguard"
)

// ContentTypeJSON is the Content-Type of every JSON response, as Zoho sends it.
const ContentTypeJSON = "application/json;charset=UTF-8"

var ctJSON = []string{ContentTypeJSON}

// Marshal encodes v as Zoho does: without escaping <, > and & .
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// WriteJSON encodes v as the response body with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := Marshal(v)
	if err != nil {
		return err
	}
	return WriteRawJSON(w, status, b)
}

// WriteRawJSON writes already-encoded JSON.
func WriteRawJSON(w http.ResponseWriter, status int, body []byte) error {
	h := w.Header()
	h["Content-Type"] = ctJSON
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// Envelope is Zoho's {code, details, message, status} object: the answer to
// a failed request, and each entry of a write's per-record answer (with
// status "success" or "error"). Field order is Zoho's.
type Envelope struct {
	Code    string           `json:"code"`
	Details crmguard.Details `json:"details"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
}

// ErrorEnvelope is the envelope of a Zoho error, with "details" never null.
func ErrorEnvelope(e *crmguard.Error) Envelope {
	d := e.Details
	if d == nil {
		d = crmguard.Details{}
	}
	return Envelope{Code: e.Code, Details: d, Message: e.Message, Status: "error"}
}

// internalError is what a client sees for anything that is not a
// crmguard.Error; the cause is only logged.
var internalError = &crmguard.Error{Code: crmguard.CodeInternalError, Message: "Internal server error occurred."}

// busyError answers crmguard.ErrBusy: the database stayed locked by
// another writer. Zoho documents no code for a 5xx other than
// INTERNAL_ERROR, so clients keep the code they know and get the status
// and Retry-After that tell them to send the request again.
var busyError = &crmguard.Error{Code: crmguard.CodeInternalError, Status: http.StatusServiceUnavailable, RetryAfter: 1,
	Message: "The server is busy. Try again shortly.", Details: crmguard.Details{"reason": "database busy"}}

// WriteError answers err in Zoho's shape. Errors that are not a
// crmguard.Error are logged in full and answered as INTERNAL_ERROR; a busy
// database is a 503 with Retry-After.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var ze *crmguard.Error
	if errors.Is(err, crmguard.ErrBusy) {
		log.WarnContext(r.Context(), "database busy", "method", r.Method, "path", r.URL.Path, "err", err)
		ze = busyError
	} else if !errors.As(err, &ze) {
		log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		ze = internalError
	}
	if ze.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ze.RetryAfter))
	}
	for k, vs := range ze.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	_ = WriteJSON(w, ze.HTTPStatus(), ErrorEnvelope(ze))
}

// Handler is an http.Handler that returns an error; the adapter answers it.
type Handler struct {
	Log *slog.Logger
	Fn  func(w http.ResponseWriter, r *http.Request) error
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.Fn(w, r); err != nil {
		WriteError(w, r, h.Log, err)
	}
}
