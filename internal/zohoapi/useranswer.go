package zohoapi

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

// userAnswer is the users an answer shows, in order: each one's JSON from
// the cache, or, where the cache missed, the user to encode with the
// answer's view. writeUsers encodes those straight into the answer and
// then caches them.
type userAnswer struct {
	json  [][]byte         // a user's cached JSON, or nil
	users []*crmguard.User // the user to encode where json is nil
	view  *userView
	org   crmguard.ID
	epoch uint64
	spell userSpelling
}

func (ans *userAnswer) len() int { return len(ans.json) }

// encodeUsers returns the users with these IDs, in order, from the cache
// where it can and from storage (or have, the users of ids in their
// order) for the rest; users that do not
// exist are left out. epoch and seq are the service's Epoch and Seq taken
// before the caller read anything it passes (ids, have): what is read is
// cached only if no change since touched it.
func (a *API) encodeUsers(r *http.Request, p *crmguard.Principal, epoch, seq uint64, ids []crmguard.ID, have []*crmguard.User) (*userAnswer, error) {
	spelling := spellingOf(r)
	ans := &userAnswer{json: make([][]byte, len(ids)), org: p.OrgID, epoch: epoch, spell: spelling}
	var missing []crmguard.ID
	for i, id := range ids {
		if e, ok := a.users.get(epoch, userKey{p.OrgID, id, spelling}); ok {
			ans.json[i] = e.json
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return ans, nil
	}
	users := have
	if users == nil {
		var err error
		if users, err = a.svc.UsersByID(r.Context(), p.OrgID, missing); err != nil {
			return nil, err
		}
	} else if len(missing) < len(ids) {
		// Only those the cache missed: the view reads the names they show.
		users = make([]*crmguard.User, 0, len(missing))
		for i, u := range have {
			if ans.json[i] == nil {
				users = append(users, u)
			}
		}
	}
	m, err := a.meta(r.Context(), p.OrgID)
	if err != nil {
		return nil, err
	}
	if ans.view, err = m.view(r.Context(), a, users, spelling, seq); err != nil {
		return nil, err
	}
	byID := make(map[crmguard.ID]*crmguard.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	ans.users = make([]*crmguard.User, len(ids))
	kept := 0
	for i, id := range ids {
		u := byID[id]
		if ans.json[i] != nil {
			u = nil
		} else if u == nil {
			continue // no such user
		}
		ans.json[kept], ans.users[kept] = ans.json[i], u
		kept++
	}
	ans.json, ans.users = ans.json[:kept], ans.users[:kept]
	return ans, nil
}

// writeUsers writes {"users":[...]} and, for lists, the info object,
// encoding the users the cache missed into the answer itself; then it
// caches them, each in a copy of its own.
func (a *API) writeUsers(w http.ResponseWriter, ans *userAnswer, info *pageInfo) error {
	buf := bufPool.Get().(*[]byte)
	b := append((*buf)[:0], `{"users":[`...)
	var spans []int // start and end of each user encoded here, by index
	for i, j := range ans.json {
		if i > 0 {
			b = append(b, ',')
		}
		if j != nil {
			b = append(b, j...)
			continue
		}
		start := len(b)
		b = ans.view.appendUser(b, ans.users[i])
		spans = append(spans, i, start, len(b))
	}
	b = append(b, ']')
	if info != nil {
		b = append(b, `,"info":{"per_page":`...)
		b = strconv.AppendInt(b, int64(info.perPage), 10)
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, int64(len(ans.json)), 10)
		b = append(b, `,"page":`...)
		b = strconv.AppendInt(b, int64(info.page), 10)
		b = append(b, `,"more_records":`...)
		b = strconv.AppendBool(b, info.more)
		b = append(b, '}')
	}
	b = append(b, '}')
	err := web.WriteRawJSON(w, http.StatusOK, b)
	if len(spans) > 0 && a.users.on() {
		puts := make([]userPut, 0, len(spans)/3)
		for k := 0; k < len(spans); k += 3 {
			u := ans.users[spans[k]]
			puts = append(puts, userPut{k: userKey{ans.org, u.ID, ans.spell},
				shown: shown{encodedUser{json: bytes.Clone(b[spans[k+1]:spans[k+2]]), modified: u.ModifiedTime},
					[4]crmguard.ID{u.ID, u.CreatedBy, u.ModifiedBy, u.ReportingTo}}})
		}
		a.users.put(ans.epoch, ans.view.since, a.svc.StaleShown, puts)
	}
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
