package zohoapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/criteria"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// maxIDs is the most IDs GET /users?ids= takes.
const maxIDs = 200

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
	epoch, seq, q := a.svc.Epoch(), a.svc.Seq(), service.UserQuery{Type: typ, Page: page, PerPage: perPage, Caller: p.UserID}
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
	users, err := a.encodeUsers(r, p, epoch, seq, ids, nil)
	if err != nil {
		return err
	}
	if users.len() == 0 {
		if !q.ModifiedSince.IsZero() {
			w.WriteHeader(http.StatusNotModified)
		} else {
			w.WriteHeader(http.StatusNoContent)
		}
		return nil
	}
	return a.writeUsers(w, users, &pageInfo{page: page, perPage: perPage, more: more})
}

// unknownID is INVALID_DATA for an ID that names no user: HTTP 400, or 200
// on v2 and v2.1, as Zoho's v2 error table gives it.
func unknownID(r *http.Request, e *crmguard.Error) *crmguard.Error {
	c := *e
	if legacyVersion(r) {
		c.Status = http.StatusOK
	}
	return &c
}

// getUser answers GET /users/{id}: {"users":[{...}]}, without info.
func (a *API) getUser(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ims, err := ifModifiedSince(r)
	if err != nil {
		return err
	}
	epoch, seq := a.svc.Epoch(), a.svc.Seq()
	e, ok := a.users.get(epoch, userKey{p.OrgID, id, spellingOf(r)})
	if !ok {
		u, err := a.svc.GetUser(r.Context(), p.OrgID, id)
		if ce, ok := crmguard.AsError(err); ok && ce == service.ErrInvalidUserID {
			return unknownID(r, crmguard.NewError(ce.Code, ce.Message, crmguard.Details{"resource_path_index": 0}))
		} else if err != nil {
			return err
		}
		if !ims.IsZero() && !u.ModifiedTime.Truncate(time.Second).After(ims) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		ans, err := a.encodeUsers(r, p, epoch, seq, []crmguard.ID{u.ID}, []*crmguard.User{u})
		if err != nil {
			return err
		}
		return a.writeUsers(w, ans, nil)
	}
	if !ims.IsZero() && !e.modified.Truncate(time.Second).After(ims) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return a.writeUsers(w, &userAnswer{json: [][]byte{e.json}}, nil)
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
	epoch, seq := a.svc.Epoch(), a.svc.Seq()
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
	users, err := a.encodeUsers(r, p, epoch, seq, ids, res.Users)
	if err != nil {
		return err
	}
	return a.writeUsers(w, users, &pageInfo{page: page, perPage: perPage, more: res.More})
}

// usersBody reads {"users":[...]}.
func usersBody(r *http.Request, max int) ([]map[string]json.RawMessage, error) {
	return recordsBody(r, "users", max, "One of the mandatory key is missing.")
}

// userInput decodes one record of POST or PUT /users. The keys with a type
// of their own go into it; every other key, and a value that does not
// decode to its key's type, goes into Fields as sent, for the service to
// judge against the org's fields with the rest, in Zoho's order.
func userInput(rec map[string]json.RawMessage) service.UserInput {
	var in service.UserInput
	text := map[string]**string{"first_name": &in.FirstName, "last_name": &in.LastName, "email": &in.Email,
		"status": &in.Status, "time_zone": &in.TimeZone, "locale": &in.Locale}
	refs := map[string]**crmguard.ID{"role": &in.Role, "profile": &in.Profile, "Reporting_To": &in.ReportingTo}
	for k, raw := range rec {
		if p, ok := text[k]; ok {
			var s string // null is "": it clears, as Zoho's empty value does
			if isNull(raw) || json.Unmarshal(raw, &s) == nil {
				*p = &s
				continue
			}
		} else if p, ok := refs[k]; ok {
			if id, ok := lookupRef(raw); ok {
				*p = &id
				continue
			}
		}
		if in.Fields == nil {
			in.Fields = map[string]json.RawMessage{}
		}
		in.Fields[k] = raw
	}
	return in
}

func requireManageUsers(p *crmguard.Principal) error {
	return requirePerm(p, crmguard.PermManageUsers, "permission denied")
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
		return writeRecords(w, http.StatusBadRequest, "users", failure(notObject("users", 0)))
	}
	nu, err := a.svc.AddUser(r.Context(), a.actor(r, p), userInput(recs[0]))
	if err != nil {
		e, err := recordError(err, false, recordPath("users", 0))
		if e == nil {
			return err
		}
		return writeRecords(w, e.HTTPStatus(), "users", failure(e))
	}
	// The invitation link is shown to no one here: 'crmguard user invite'
	// or the console makes a new one for whoever sends it.
	a.log.Info("user added and invited", "user_id", nu.User.ID)
	return writeRecords(w, http.StatusCreated, "users", success(nu.User.ID, "User added"))
}

// updateUsers answers PUT /users and PUT /users/{id}.
func (a *API) updateUsers(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	urlID, err := pathID(r)
	if err != nil {
		return err
	}
	max := maxUpdateBatch
	if urlID != 0 {
		max = 1
	}
	if err := requireManageUsers(p); err != nil {
		return err
	}
	recs, err := usersBody(r, max)
	if err != nil {
		return err
	}
	out := make([]web.Envelope, len(recs))
	var ups []service.UserUpdate
	var at []int // index in recs of each update
	for i, rec := range recs {
		if rec == nil {
			out[i] = failure(notObject("users", i))
			continue
		}
		up := service.UserUpdate{Input: userInput(rec)}
		if urlID != 0 {
			up.ID, up.HasID = urlID, true
		} else {
			up.ID, up.HasID, _ = recordID(rec) // a malformed id stays 0: the service answers it
		}
		ups = append(ups, up)
		at = append(at, i)
	}
	results, err := a.svc.UpdateUsers(r.Context(), a.actor(r, p), ups)
	if err != nil {
		return err
	}
	if err := batchResults(out, "users", at, results, func(j int) crmguard.ID { return ups[j].ID }, "User updated"); err != nil {
		return err
	}
	return writeRecords(w, writeStatus(r, out, http.StatusOK), "users", out...)
}

// deleteUser answers DELETE /users/{id} and DELETE /users with the id in
// the body: a soft delete that also revokes the user's tokens.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
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
			return writeRecords(w, http.StatusBadRequest, "users", failure(crmguard.NewError(
				crmguard.CodeMandatoryNotFound, "One of the mandatory key is missing.", crmguard.Details{"api_name": "id", "json_path": "$.users[0].id"})))
		}
		// Only the string form names a user to delete here; a number has
		// always been answered as an invalid ID, unlike in PUT /users.
		var s string
		_ = json.Unmarshal(raw, &s)
		if id, ok = crmguard.ParseID(s); !ok {
			e := failure(crmguard.NewError(crmguard.CodeInvalidData, service.ErrInvalidUserID.Message, crmguard.Details{"api_name": "id", "json_path": "$.users[0].id"}))
			return writeRecords(w, writeStatus(r, []web.Envelope{e}, http.StatusOK), "users", e)
		}
	}
	if err := a.svc.DeleteUser(r.Context(), a.actor(r, p), id); err != nil {
		e, err := recordError(err, false, recordPath("users", 0))
		if e == nil {
			return err
		}
		f := failure(e)
		return writeRecords(w, writeStatus(r, []web.Envelope{f}, http.StatusOK), "users", f)
	}
	return writeRecords(w, http.StatusOK, "users", success(id, "User deleted"))
}
