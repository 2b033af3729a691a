package crmguard

import (
	"errors"
	"net/http"
)

// Zoho error codes used by crmguard. Each is defined once here; the HTTP
// status a code answers with by default is in codeStatus.
const (
	CodeInvalidURLPattern     = "INVALID_URL_PATTERN"
	CodeInvalidRequestMethod  = "INVALID_REQUEST_METHOD"
	CodeAuthenticationFailure = "AUTHENTICATION_FAILURE"
	CodeInvalidToken          = "INVALID_TOKEN"
	CodeInactiveUser          = "INACTIVE_USER"
	CodeNoPermission          = "NO_PERMISSION"
	CodeOAuthScopeMismatch    = "OAUTH_SCOPE_MISMATCH"
	CodeTooManyRequests       = "TOO_MANY_REQUESTS"
	CodeInvalidData           = "INVALID_DATA"
	CodeMandatoryNotFound     = "MANDATORY_NOT_FOUND"
	CodeRequiredParamMissing  = "REQUIRED_PARAM_MISSING"
	CodeDuplicateData         = "DUPLICATE_DATA"
	CodeInvalidRequest        = "INVALID_REQUEST"
	CodeLicenseLimitExceeded  = "LICENSE_LIMIT_EXCEEDED"
	CodeProfileLimitExceeded  = "PROFILE_LIMIT_EXCEEDED"
	CodeIDAlreadyDeleted      = "ID_ALREADY_DELETED"
	CodeUnableToParse         = "UNABLE_TO_PARSE_DATA_TYPE"
	CodeInternalError         = "INTERNAL_ERROR"
	CodeNotAllowed            = "NOT_ALLOWED"
	CodeCannotUpdateDeleted   = "CANNOT_UPDATE_DELETED_USER"
	CodeEmailUpdateNotAllowed = "EMAIL_UPDATE_NOT_ALLOWED"
	CodeIDAlreadyActive       = "ID_ALREADY_ACTIVE"
	CodeIDAlreadyDeactivated  = "ID_ALREADY_DEACTIVATED"
	CodeInvalidModule         = "INVALID_MODULE"
	CodeInvalidQuery          = "INVALID_QUERY"
	CodeLimitExceeded         = "LIMIT_EXCEEDED"
)

var codeStatus = map[string]int{
	CodeInvalidURLPattern:     http.StatusNotFound,
	CodeInvalidRequestMethod:  http.StatusBadRequest,
	CodeAuthenticationFailure: http.StatusUnauthorized,
	CodeInvalidToken:          http.StatusUnauthorized,
	CodeInactiveUser:          http.StatusForbidden,
	CodeNoPermission:          http.StatusForbidden,
	CodeOAuthScopeMismatch:    http.StatusUnauthorized,
	CodeTooManyRequests:       http.StatusTooManyRequests,
	CodeProfileLimitExceeded:  http.StatusNotFound,
	CodeInternalError:         http.StatusInternalServerError,
}

// Details carries the "details" object of a Zoho error.
type Details map[string]any

// Error is an error the API reports to the client in Zoho's shape:
// {"code":..., "details":{...}, "message":..., "status":"error"}.
type Error struct {
	Code    string
	Message string
	Details Details
	// Status overrides the HTTP status of Code where Zoho answers one code
	// with different statuses (e.g. DUPLICATE_DATA is 404 on profile clone).
	Status int
	// RetryAfter, in seconds, is sent as a Retry-After header when positive.
	RetryAfter int
	// Header holds response headers sent with the error: hints a client
	// can read (an RFC 6750 WWW-Authenticate challenge) where Zoho's body
	// has no room for them. They add to the answer and never change it.
	Header http.Header
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus is the status the error is answered with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	if s, ok := codeStatus[e.Code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// NewError builds an Error; details may be nil.
func NewError(code, message string, details Details) *Error {
	return &Error{Code: code, Message: message, Details: details}
}

// AsError reports whether err is (or wraps) an *Error and returns it.
func AsError(err error) (*Error, bool) {
	if err == nil {
		return nil, false // without errors.As, whose target escapes: every answered request asks
	}
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Store sentinels. Backends translate driver error codes into these.
var (
	ErrNotFound = errors.New("crmguard: not found")
	ErrConflict = errors.New("crmguard: conflict")
	// ErrBusy means the database stayed locked by another writer (another
	// process, such as a bulk seed) past the store's lock timeout. The
	// transports answer it with HTTP 503 and Retry-After: the request
	// changed nothing and may be sent again.
	ErrBusy = errors.New("crmguard: database busy")
)
