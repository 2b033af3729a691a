package zohoapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

// Limits every resource shares.
const (
	maxPerPage     = 200
	maxUpdateBatch = 100
	maxBody        = 1 << 20
)

// legacyVersion reports whether the request is for v2 or v2.1, where Zoho
// answers some errors with HTTP 200.
func legacyVersion(r *http.Request) bool {
	v := r.PathValue("version")
	return v == "v2" || v == "v2.1"
}

// pathID reads the {id} of the URL, or 0 on a route without one. A
// malformed ID is not a URL crmguard serves.
func pathID(r *http.Request) (crmguard.ID, error) {
	return pathValueID(r, "id")
}

// pathValueID reads the ID in the path wildcard name: 0 when the route has
// none, ErrURLPattern when it is not an ID.
func pathValueID(r *http.Request, name string) (crmguard.ID, error) {
	s := r.PathValue(name)
	if s == "" {
		return 0, nil
	}
	id, ok := crmguard.ParseID(s)
	if !ok {
		return 0, ErrURLPattern
	}
	return id, nil
}

// paramErr is INVALID_DATA for a query parameter.
func paramErr(name, value string, more crmguard.Details) error {
	d := crmguard.Details{"param_name": name, "param": value}
	for k, v := range more {
		d[k] = v
	}
	return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", d)
}

// query returns a query parameter; empty ones count as absent.
func query(r *http.Request, name string) string { return r.URL.Query().Get(name) }

func intParam(r *http.Request, name string, def, min, max int) (int, error) {
	s := query(r, name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		d := crmguard.Details{}
		if max > 0 && err == nil && n > max {
			d["maximum_value"] = max
		}
		return 0, paramErr(name, s, d)
	}
	return n, nil
}

// paging reads page (from 1) and per_page (1 to 200, default 200).
func paging(r *http.Request) (page, perPage int, err error) {
	if page, err = intParam(r, "page", 1, 1, 1<<31-1); err != nil {
		return 0, 0, err
	}
	perPage, err = intParam(r, "per_page", maxPerPage, 1, maxPerPage)
	return page, perPage, err
}

// requiredID reads a mandatory ID query parameter, e.g. transfer_to.
func requiredID(r *http.Request, name string) (crmguard.ID, error) {
	t := query(r, name)
	if t == "" {
		return 0, crmguard.NewError(crmguard.CodeRequiredParamMissing, "One of the expected parameter is missing", crmguard.Details{"param_name": name})
	}
	id, ok := crmguard.ParseID(t)
	if !ok {
		return 0, paramErr(name, t, crmguard.Details{"expected_data_type": "bigint"})
	}
	return id, nil
}

// ifModifiedSince parses the header in the forms Zoho's SDKs send.
func ifModifiedSince(r *http.Request) (time.Time, error) {
	h := r.Header.Get("If-Modified-Since")
	if h == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, http.TimeFormat, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, h); err == nil {
			return t, nil
		}
	}
	return time.Time{}, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"header_name": "If-Modified-Since", "expected_format": zohoTime})
}

// requirePerm is step 8 of the pipeline: a write needs the matching
// Manage_* permission on the caller's profile, checked before the body is
// read. msg is Zoho's wording for the operation.
func requirePerm(p *crmguard.Principal, perm, msg string) error {
	if !p.Can(perm) {
		return crmguard.NewError(crmguard.CodeNoPermission, msg, crmguard.Details{"permissions": []string{perm}})
	}
	return nil
}

// actor is who a write acts as: the caller, through the API, from the
// address the guard trusts.
func (a *API) actor(r *http.Request, p *crmguard.Principal) crmguard.Actor {
	return crmguard.Actor{OrgID: p.OrgID, UserID: p.UserID, Source: crmguard.SourceAPI, ClientIP: a.guard.ClientIP(r)}
}

// errBodyFormat answers a body that is not JSON, or that broke off.
var errBodyFormat = crmguard.NewError(crmguard.CodeUnableToParse, "either the request body or parameters is in wrong format", crmguard.Details{})

// recordsBody reads {"<key>":[{...},...]} with 1 to max records; a record
// that is not an object is kept as nil, for a per-record error (notObject).
// missing is the message for an absent key: the Users API words it
// differently from the settings APIs.
func recordsBody(r *http.Request, key string, max int, missing string) ([]map[string]json.RawMessage, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "the request body is too large", crmguard.Details{"maximum_length": maxBody})
	} else if err != nil {
		return nil, errBodyFormat // the body broke off: unreadable, not too large
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, errBodyFormat
	}
	path := "$." + key
	raw, ok := top[key]
	if !ok || isNull(raw) {
		return nil, crmguard.NewError(crmguard.CodeMandatoryNotFound, missing, crmguard.Details{"api_name": key, "json_path": path})
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": key, "json_path": path, "expected_data_type": "jsonarray"})
	}
	if len(items) == 0 || len(items) > max {
		d := crmguard.Details{"api_name": key, "json_path": path, "maximum_length": max}
		if len(items) == 0 {
			d = crmguard.Details{"api_name": key, "json_path": path, "minimum_length": 1}
		}
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", d)
	}
	recs := make([]map[string]json.RawMessage, len(items))
	for i, it := range items {
		var m map[string]json.RawMessage
		if json.Unmarshal(it, &m) == nil && m != nil {
			recs[i] = m
		}
	}
	return recs, nil
}

// recordPath is the JSON path of record i of a body: $.users[0].
func recordPath(key string, i int) string { return "$." + key + "[" + strconv.Itoa(i) + "]" }

// notObject is INVALID_DATA for record i of a body that is not an object.
func notObject(key string, i int) *crmguard.Error {
	return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{
		"api_name": key, "json_path": recordPath(key, i), "expected_data_type": "jsonobject"})
}

// lookupRef reads a reference to a record as Zoho's SDKs send it: "123",
// 123 or {"id":"123"}; null is 0. ok is false for anything else.
func lookupRef(raw json.RawMessage) (id crmguard.ID, ok bool) {
	if isNull(raw) {
		return 0, true
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var obj map[string]json.RawMessage // "id" exactly, as Zoho reads it
		if json.Unmarshal(raw, &obj) != nil || obj["id"] == nil {
			return 0, false
		}
		raw = obj["id"]
	}
	if json.Unmarshal(raw, &id) != nil || id == 0 {
		return 0, false
	}
	return id, true
}

// isNull reports whether a member's value is JSON null.
func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// recordID reads the id member of a record, as "123" or 123: given says
// whether the record has one (null counts as none), ok whether it is an ID.
func recordID(rec map[string]json.RawMessage) (id crmguard.ID, given, ok bool) {
	raw, given := rec["id"]
	if !given || isNull(raw) {
		return 0, false, false
	}
	if json.Unmarshal(raw, &id) != nil {
		return 0, true, false
	}
	return id, true, true
}

// bodyIDs reads the "id" of each record of a body listed under key for a
// bulk association: the IDs read, in order, and at, the index of each in
// recs. A record that is not an object or whose id is not an ID gets its
// failure in out instead.
func bodyIDs(recs []map[string]json.RawMessage, key string, out []web.Envelope) (ids []crmguard.ID, at []int) {
	for i, rec := range recs {
		if rec == nil {
			out[i] = failure(notObject(key, i))
			continue
		}
		id, given, ok := recordID(rec)
		if given && !ok {
			out[i] = failure(crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{
				"api_name": "id", "json_path": recordPath(key, i) + ".id", "expected_data_type": "bigint"}))
			continue
		}
		ids = append(ids, id)
		at = append(at, i)
	}
	return ids, at
}

// queryIDs reads the required ?ids= of a bulk disassociation, at most max
// comma-separated IDs.
func queryIDs(r *http.Request, max int) ([]crmguard.ID, error) {
	raw := query(r, "ids")
	if raw == "" {
		return nil, crmguard.NewError(crmguard.CodeRequiredParamMissing, "One of the expected parameter is missing", crmguard.Details{"param_name": "ids"})
	}
	parts := strings.Split(raw, ",")
	if len(parts) > max {
		return nil, paramErr("ids", raw, crmguard.Details{"maximum_length": max})
	}
	ids := make([]crmguard.ID, 0, len(parts))
	for _, s := range parts {
		id, ok := crmguard.ParseID(strings.TrimSpace(s))
		if !ok {
			return nil, paramErr("ids", s, crmguard.Details{"expected_data_type": "bigint"})
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// indexes is 0, 1, …, n-1: at for results that answer every ID given.
func indexes(n int) []int {
	at := make([]int, n)
	for i := range at {
		at[i] = i
	}
	return at
}
