package zohoapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/criteria"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// Limits of the Users API.
const (
	maxPerPage     = 200
	maxIDs         = 200
	maxUpdateBatch = 100
	maxBody        = 1 << 20
)

// legacyVersion reports whether a version is the brief's v2 family, where
// Zoho answers some errors with HTTP 200.
func legacyVersion(r *http.Request) bool {
	v := r.PathValue("version")
	return v == "v2" || v == "v2.1"
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

func userType(r *http.Request) (string, error) {
	s := query(r, "type")
	if s == "" {
		return "AllUsers", nil
	}
	t, ok := service.UserType(s)
	if !ok {
		return "", paramErr("type", s, crmguard.Details{"supported_values": service.UserTypes})
	}
	return t, nil
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

// encodeUsers returns the JSON of the users with these IDs, in order,
// from the cache where it can and from storage (or have) for the rest;
// users that do not exist are left out.
func (a *API) encodeUsers(r *http.Request, p *crmguard.Principal, epoch uint64, ids []crmguard.ID, have []*crmguard.User) ([][]byte, error) {
	legacy := legacyVersion(r)
	out := make([][]byte, len(ids))
	var missing []crmguard.ID
	for i, id := range ids {
		if e, ok := a.users.get(epoch, userKey{p.OrgID, id, legacy}); ok {
			out[i] = e.json
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	users := have
	if users == nil {
		var err error
		if users, err = a.svc.UsersByID(r.Context(), p.OrgID, missing); err != nil {
			return nil, err
		}
	}
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return nil, err
	}
	v, err := m.view(r.Context(), a, users, legacy)
	if err != nil {
		return nil, err
	}
	byID := make(map[crmguard.ID][]byte, len(users))
	for _, u := range users {
		b := v.appendUser(make([]byte, 0, 1400), u)
		byID[u.ID] = b
		a.users.put(epoch, userKey{p.OrgID, u.ID, legacy}, encodedUser{json: b, modified: u.ModifiedTime})
	}
	kept := out[:0]
	for i, id := range ids {
		if out[i] == nil {
			out[i] = byID[id]
		}
		if out[i] != nil {
			kept = append(kept, out[i])
		}
	}
	return kept, nil
}

// writeUsers writes {"users":[...]} and, for lists, the info object.
func (a *API) writeUsers(w http.ResponseWriter, users [][]byte, info *pageInfo) error {
	buf := bufPool.Get().(*[]byte)
	b := append((*buf)[:0], `{"users":[`...)
	for i, u := range users {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, u...)
	}
	b = append(b, ']')
	if info != nil {
		b = append(b, `,"info":{"per_page":`...)
		b = strconv.AppendInt(b, int64(info.perPage), 10)
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, int64(len(users)), 10)
		b = append(b, `,"page":`...)
		b = strconv.AppendInt(b, int64(info.page), 10)
		b = append(b, `,"more_records":`...)
		b = strconv.AppendBool(b, info.more)
		b = append(b, '}')
	}
	b = append(b, '}')
	err := web.WriteRawJSON(w, http.StatusOK, b)
	if cap(b) <= 4<<20 { // keep buffers of ordinary pages only
		*buf = b
		bufPool.Put(buf)
	}
	return err
}

// bufPool holds response buffers: a 200-user page is about 240 KB.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

type pageInfo struct {
	page, perPage int
	more          bool
}

// paging reads page (from 1) and per_page (1 to 200, default 200).
func paging(r *http.Request) (page, perPage int, err error) {
	if page, err = intParam(r, "page", 1, 1, 1<<31-1); err != nil {
		return 0, 0, err
	}
	perPage, err = intParam(r, "per_page", maxPerPage, 1, maxPerPage)
	return page, perPage, err
}

// listUsers answers GET /users.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	typ, err := userType(r)
	if err != nil {
		return err
	}
	page, perPage, err := paging(r)
	if err != nil {
		return err
	}
	epoch, q := a.svc.Epoch(), service.UserQuery{Type: typ, Page: page, PerPage: perPage, Caller: p.UserID}
	if s := query(r, "ids"); s != "" {
		for _, part := range strings.Split(s, ",") {
			id, ok := crmguard.ParseID(strings.TrimSpace(part))
			if !ok {
				return paramErr("ids", s, nil)
			}
			q.IDs = append(q.IDs, id)
		}
		if len(q.IDs) > maxIDs {
			return paramErr("ids", s, crmguard.Details{"maximum_length": maxIDs})
		}
	}
	ims, err := ifModifiedSince(r)
	if err != nil {
		return err
	}
	if !ims.IsZero() {
		// Modified_Time shows whole seconds: a user whose shown time is not
		// after the header is not newer, as for GET /users/{id}.
		q.ModifiedSince = ims.Truncate(time.Second).Add(time.Second - time.Millisecond)
	}
	ids, more, err := a.svc.ListUserIDs(r.Context(), p.OrgID, q)
	if err != nil {
		return err
	}
	users, err := a.encodeUsers(r, p, epoch, ids, nil)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		if !q.ModifiedSince.IsZero() {
			w.WriteHeader(http.StatusNotModified)
		} else {
			w.WriteHeader(http.StatusNoContent)
		}
		return nil
	}
	return a.writeUsers(w, users, &pageInfo{page: page, perPage: perPage, more: more})
}

// pathUserID reads {id}; a malformed one is not a URL crmguard serves.
func pathUserID(r *http.Request) (crmguard.ID, error) {
	id, ok := crmguard.ParseID(r.PathValue("id"))
	if !ok {
		return 0, ErrURLPattern
	}
	return id, nil
}

// unknownID is INVALID_DATA for an ID that names no user: HTTP 400, or 200
// on v2 and v2.1 as the brief's error table gives it.
func unknownID(r *http.Request, e *crmguard.Error) *crmguard.Error {
	c := *e
	if legacyVersion(r) {
		c.Status = http.StatusOK
	}
	return &c
}

// getUser answers GET /users/{id}: {"users":[{...}]}, without info.
func (a *API) getUser(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathUserID(r)
	if err != nil {
		return err
	}
	ims, err := ifModifiedSince(r)
	if err != nil {
		return err
	}
	epoch := a.svc.Epoch()
	e, ok := a.users.get(epoch, userKey{p.OrgID, id, legacyVersion(r)})
	if !ok {
		u, err := a.svc.GetUser(r.Context(), p.OrgID, id)
		if ce, ok := crmguard.AsError(err); ok && ce == service.ErrInvalidUserID {
			return unknownID(r, crmguard.NewError(ce.Code, ce.Message, crmguard.Details{"resource_path_index": 0}))
		} else if err != nil {
			return err
		}
		enc, err := a.encodeUsers(r, p, epoch, []crmguard.ID{u.ID}, []*crmguard.User{u})
		if err != nil {
			return err
		}
		e = encodedUser{json: enc[0], modified: u.ModifiedTime}
	}
	if !ims.IsZero() && !e.modified.Truncate(time.Second).After(ims) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return a.writeUsers(w, [][]byte{e.json}, nil)
}

// countUsers answers GET /users/actions/count: {"count":N}.
func (a *API) countUsers(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	typ, err := userType(r)
	if err != nil {
		return err
	}
	n, err := a.svc.CountUsers(r.Context(), p.OrgID, typ, p.UserID)
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, map[string]int{"count": n})
}

// searchUsers answers GET /users/search?criteria=.
func (a *API) searchUsers(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	crit := query(r, "criteria")
	if crit == "" {
		if email := query(r, "email"); email != "" {
			crit = "(email:equals:" + criteria.Escape(email) + ")"
		} else {
			return crmguard.NewError(crmguard.CodeRequiredParamMissing, "One of the expected parameter is missing", crmguard.Details{"param_name": "criteria"})
		}
	}
	page, perPage, err := paging(r)
	if err != nil {
		return err
	}
	epoch := a.svc.Epoch()
	res, err := a.svc.SearchUsers(r.Context(), p.OrgID, crit, page, perPage)
	if err != nil {
		return err
	}
	if len(res.Users) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	ids := make([]crmguard.ID, len(res.Users))
	for i, u := range res.Users {
		ids[i] = u.ID
	}
	users, err := a.encodeUsers(r, p, epoch, ids, res.Users)
	if err != nil {
		return err
	}
	return a.writeUsers(w, users, &pageInfo{page: page, perPage: perPage, more: res.More})
}

// Request-body errors.
var (
	errBodyFormat = crmguard.NewError(crmguard.CodeUnableToParse, "either the request body or parameters is in wrong format", crmguard.Details{})
)

// recordsBody reads {"<key>":[{...},...]} with 1 to max records; a record
// that is not an object is kept as nil, for a per-record error. missing is
// the message for an absent key (the Users API words it as the brief does).
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
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
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

// usersBody reads {"users":[...]}.
func usersBody(r *http.Request, max int) ([]map[string]json.RawMessage, error) {
	return recordsBody(r, "users", max, "One of the mandatory key is missing.")
}

func notObject(i int) *crmguard.Error {
	return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{
		"api_name": "users", "json_path": "$.users[" + strconv.Itoa(i) + "]", "expected_data_type": "jsonobject"})
}

// recordJSON is one entry of a write's per-record answer.
type recordJSON struct {
	Code    string           `json:"code"`
	Details crmguard.Details `json:"details"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
}

func success(id crmguard.ID, msg string) recordJSON {
	return recordJSON{Code: "SUCCESS", Details: crmguard.Details{"id": id.String()}, Message: msg, Status: "success"}
}

func failure(e *crmguard.Error) recordJSON {
	d := e.Details
	if d == nil {
		d = crmguard.Details{}
	}
	return recordJSON{Code: e.Code, Details: d, Message: e.Message, Status: "error"}
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

func requireManageUsers(p *crmguard.Principal) error {
	return requirePerm(p, crmguard.PermManageUsers, "permission denied")
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

// recordLevel reports whether a service error belongs in the per-record
// answer rather than the request-level one.
func recordLevel(err error) (*crmguard.Error, bool) {
	e, ok := crmguard.AsError(err)
	if !ok || e.Code == crmguard.CodeNoPermission {
		return nil, false
	}
	return e, true
}

func (a *API) actor(r *http.Request, p *crmguard.Principal) crmguard.Actor {
	return crmguard.Actor{OrgID: p.OrgID, UserID: p.UserID, Source: crmguard.SourceAPI, ClientIP: a.guard.ClientIP(r)}
}

// addUser answers POST /users: one user per request, 201.
func (a *API) addUser(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	if err := requireManageUsers(p); err != nil {
		return err
	}
	recs, err := usersBody(r, 1)
	if err != nil {
		return err
	}
	if recs[0] == nil {
		return web.WriteJSON(w, http.StatusBadRequest, map[string][]recordJSON{"users": {failure(notObject(0))}})
	}
	nu, err := a.svc.AddUser(r.Context(), a.actor(r, p), recs[0])
	if e, ok := recordLevel(err); ok {
		return web.WriteJSON(w, e.HTTPStatus(), map[string][]recordJSON{"users": {failure(e)}})
	} else if err != nil {
		return err
	}
	// The invitation link is shown to no one here: 'crmguard user invite'
	// or the console makes a new one for whoever sends it.
	a.log.Info("user added and invited", "user_id", nu.User.ID)
	return web.WriteJSON(w, http.StatusCreated, map[string][]recordJSON{"users": {success(nu.User.ID, "User added")}})
}

// updateUsers answers PUT /users and PUT /users/{id}.
func (a *API) updateUsers(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	var urlID crmguard.ID
	max := maxUpdateBatch
	if r.PathValue("id") != "" {
		var err error
		if urlID, err = pathUserID(r); err != nil {
			return err
		}
		max = 1
	}
	if err := requireManageUsers(p); err != nil {
		return err
	}
	recs, err := usersBody(r, max)
	if err != nil {
		return err
	}
	out := make([]recordJSON, len(recs))
	var ups []service.UserUpdate
	var at []int // index in recs of each update
	for i, rec := range recs {
		if rec == nil {
			out[i] = failure(notObject(i))
			continue
		}
		up := service.UserUpdate{Fields: rec, Path: "$.users[" + strconv.Itoa(i) + "]"}
		if urlID != 0 {
			up.ID, up.HasID = urlID, true
		} else if raw, ok := rec["id"]; ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			up.HasID = true
			var s string
			if json.Unmarshal(raw, &s) != nil {
				var n json.Number
				_ = json.Unmarshal(raw, &n)
				s = n.String()
			}
			up.ID, _ = crmguard.ParseID(s)
		}
		ups = append(ups, up)
		at = append(at, i)
	}
	results, err := a.svc.UpdateUsers(r.Context(), a.actor(r, p), ups)
	if err != nil {
		return err
	}
	for j, res := range results {
		if res == nil {
			out[at[j]] = success(ups[j].ID, "User updated")
		} else {
			e, _ := crmguard.AsError(res)
			out[at[j]] = failure(e)
		}
	}
	return web.WriteJSON(w, writeStatus(r, out, http.StatusOK), map[string][]recordJSON{"users": out})
}

// writeStatus is the HTTP status of a per-record answer: ok when all
// succeed, 400 when all fail, 207 when mixed (200 before v8). On v2 and
// v2.1 a request whose every failure is an unknown ID answers 200, as the
// brief's error table gives it.
func writeStatus(r *http.Request, out []recordJSON, ok int) int {
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

// deleteUser answers DELETE /users/{id} and DELETE /users with the id in
// the body: a soft delete that also revokes the user's tokens.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	var id crmguard.ID
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathUserID(r); err != nil {
			return err
		}
	}
	if err := requireManageUsers(p); err != nil {
		return err
	}
	if id == 0 {
		recs, err := usersBody(r, 1)
		if err != nil {
			return err
		}
		raw, ok := recs[0]["id"]
		if recs[0] == nil || !ok {
			return web.WriteJSON(w, http.StatusBadRequest, map[string][]recordJSON{"users": {failure(crmguard.NewError(
				crmguard.CodeMandatoryNotFound, "One of the mandatory key is missing.", crmguard.Details{"api_name": "id", "json_path": "$.users[0].id"}))}})
		}
		var s string
		_ = json.Unmarshal(raw, &s)
		if id, ok = crmguard.ParseID(s); !ok {
			e := crmguard.NewError(crmguard.CodeInvalidData, service.ErrInvalidUserID.Message, crmguard.Details{"api_name": "id", "json_path": "$.users[0].id"})
			out := []recordJSON{failure(e)}
			return web.WriteJSON(w, writeStatus(r, out, http.StatusOK), map[string][]recordJSON{"users": out})
		}
	}
	err := a.svc.DeleteUser(r.Context(), a.actor(r, p), id)
	if e, ok := recordLevel(err); ok {
		out := []recordJSON{failure(e)}
		return web.WriteJSON(w, writeStatus(r, out, http.StatusOK), map[string][]recordJSON{"users": out})
	} else if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, map[string][]recordJSON{"users": {success(id, "User deleted")}})
}
