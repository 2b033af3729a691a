package zohoapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

// bulkWrite is what POST and PUT of a settings resource answered record by
// record (roles, territories, user groups) vary in; serve does the rest the
// same way for each: up to 100 records (one when the URL names it), each
// decoded and checked on its own, the valid ones written in one call, and
// the answer per record in input order: all succeed 201/200, all fail 400,
// mixed 207 (200 before v8).
type bulkWrite[In any] struct {
	key    string                          // the body's key, e.g. "roles"
	perm   func(*crmguard.Principal) error // the operation's Manage_* check
	decode func(rec map[string]json.RawMessage, path string) (In, *crmguard.Error)
	setID  func(in *In, id crmguard.ID) // the ID the URL names
	idOf   func(in In) crmguard.ID
	add    func(context.Context, crmguard.Actor, []In) ([]crmguard.ID, []error, error)
	update func(context.Context, crmguard.Actor, []In) ([]error, error)
	// added and updated are the success messages of each kind of write.
	added, updated string
}

func (b bulkWrite[In]) serve(a *API, w http.ResponseWriter, r *http.Request, p *crmguard.Principal, create bool) error {
	urlID, err := pathID(r)
	if err != nil {
		return err
	}
	max := maxUpdateBatch
	if urlID != 0 {
		max = 1
	}
	if err := b.perm(p); err != nil {
		return err
	}
	recs, err := recordsBody(r, b.key, max, "required field not found")
	if err != nil {
		return err
	}
	out := make([]web.Envelope, len(recs))
	var ins []In
	var at []int
	for i, rec := range recs {
		if rec == nil {
			out[i] = failure(notObject(b.key, i))
			continue
		}
		in, e := b.decode(rec, recordPath(b.key, i))
		if e != nil {
			out[i] = failure(e)
			continue
		}
		if urlID != 0 {
			b.setID(&in, urlID)
		}
		ins = append(ins, in)
		at = append(at, i)
	}
	var ids []crmguard.ID
	var results []error
	if create {
		ids, results, err = b.add(r.Context(), a.actor(r, p), ins)
	} else {
		results, err = b.update(r.Context(), a.actor(r, p), ins)
	}
	if err != nil {
		return err
	}
	ok, msg := http.StatusOK, b.updated
	if create {
		ok, msg = http.StatusCreated, b.added
	}
	id := func(j int) crmguard.ID {
		if create {
			return ids[j]
		}
		return b.idOf(ins[j])
	}
	if err := batchResults(out, b.key, at, results, id, msg); err != nil {
		return err
	}
	return writeRecords(w, writeStatus(r, out, ok), b.key, out...)
}
