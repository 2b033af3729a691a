package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/web"
)

// DefaultJournalSize is how many requests the journal keeps unless
// Config.JournalSize says otherwise.
const DefaultJournalSize = 1000

// JournalEntry is one request as the journal keeps it. It holds no secret:
// no header, no body, no query string outside the API, and for a route
// whose path carries a credential (an invitation link) the route pattern
// instead of the path.
type JournalEntry struct {
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	RequestID  string    `json:"request_id,omitempty"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Route      string    `json:"route,omitempty"`
	Status     int       `json:"status"`
	Code       string    `json:"code,omitempty"`
	DurationMS float64   `json:"duration_ms"`
	Caller     *Caller   `json:"caller,omitempty"`
	// Decision is the pipeline's account: "allowed" or "denied at <step>:
	// <reason>"; empty when the pipeline did not run (an OAuth or console
	// request, an unknown route, a faulted request).
	Decision string `json:"decision,omitempty"`
	Step     string `json:"step,omitempty"`
	// Fault names the fault rule that answered, or delayed, the request.
	Fault string `json:"fault,omitempty"`
}

// Caller is who a request's access token stands for.
type Caller struct {
	UserID   string `json:"user_id"`
	Email    string `json:"email"`
	Profile  string `json:"profile"`
	ClientID string `json:"client_id"`
	Scopes   string `json:"scopes"`
}

func callerOf(p *crmguard.Principal) *Caller {
	if p == nil {
		return nil
	}
	return &Caller{UserID: p.UserID.String(), Email: p.Email, Profile: p.ProfileName, ClientID: p.ClientID, Scopes: p.Scopes}
}

// journal is a bounded ring of the latest requests.
type journal struct {
	mu   sync.Mutex
	buf  []JournalEntry
	next int // where the next entry goes
	n    int // entries held
	seq  uint64
}

func newJournal(size int) *journal {
	if size == 0 {
		size = DefaultJournalSize
	}
	if size < 0 {
		return nil // off
	}
	return &journal{buf: make([]JournalEntry, size)}
}

func (j *journal) add(e JournalEntry) {
	j.mu.Lock()
	j.seq++
	e.Seq = j.seq
	j.buf[j.next] = e
	j.next = (j.next + 1) % len(j.buf)
	if j.n < len(j.buf) {
		j.n++
	}
	j.mu.Unlock()
}

// entries returns, oldest first, the newest limit entries that pass keep.
func (j *journal) entries(keep func(*JournalEntry) bool, limit int) (out []JournalEntry, last uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out = []JournalEntry{}
	// Walk newest to oldest so limit keeps the newest, then reverse.
	for i := 1; i <= j.n && (limit <= 0 || len(out) < limit); i++ {
		e := &j.buf[(j.next-i+len(j.buf))%len(j.buf)]
		if keep(e) {
			out = append(out, *e)
		}
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out, j.seq
}

func (j *journal) clear() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.n
	clear(j.buf)
	j.n, j.next = 0, 0
	return n
}

// recorder notes the status a handler wrote and keeps the start of a
// JSON body, only to read its Zoho code (the body itself is never kept:
// a token endpoint's answer is a credential).
type recorder struct {
	http.ResponseWriter
	status int
	head   []byte
	full   bool // head holds the whole body
}

const maxHead = 4 << 10

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	if len(rw.head) < maxHead && strings.Contains(rw.Header().Get("Content-Type"), "json") {
		rw.head = append(rw.head, b[:min(len(b), maxHead-len(rw.head))]...)
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// zohoCode reads the code of an answer: an error's "code", the OAuth
// endpoints' "error", or the first record's "code" of a write's answer
// ({"users":[{"code":"SUCCESS",…}]}).
func zohoCode(body []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	for _, k := range []string{"code", "error"} {
		var s string
		if raw, ok := top[k]; ok && json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	if len(top) == 1 {
		for _, raw := range top {
			var recs []struct {
				Code string `json:"code"`
			}
			if json.Unmarshal(raw, &recs) == nil && len(recs) > 0 {
				return recs[0].Code
			}
		}
	}
	return ""
}

// safePath is the path the journal shows: the route pattern's path where
// the path itself carries a credential, and the query string only under
// the API (the OAuth endpoints accept codes and secrets in it).
func safePath(r *http.Request, route string) string {
	if strings.Contains(route, "{token}") {
		return routePath(route)
	}
	if r.URL.RawQuery != "" && strings.HasPrefix(r.URL.Path, "/crm/") {
		return r.URL.Path + "?" + r.URL.RawQuery
	}
	return r.URL.Path
}

// observe is the middleware of faults and the journal around the handler
// tree h. Control requests pass untouched: they are neither faulted (a
// fault must never lock a test out of clearing it) nor journaled (reading
// the journal would fill it).
func (e *Emulator) observe(h http.Handler) http.Handler {
	mux, _ := h.(*http.ServeMux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, Prefix) {
			h.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		d := &guard.Decision{}
		r2 := r.WithContext(guard.WithDecision(r.Context(), d))
		route := ""
		if mux != nil && !e.faults.empty() {
			_, route = mux.Handler(r2)
		}
		rec := &recorder{ResponseWriter: w}
		rule, id, caller, faulted := e.faultFor(r2, route)
		served := false
		defer func() {
			if r2.Pattern != "" {
				route = r2.Pattern
				r.Pattern = r2.Pattern // the metrics and the log outside read it
			} else if route != "" && r.Pattern == "" {
				r.Pattern = route
			}
			if e.journal == nil {
				return
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
				if !served { // the handler panicked; the recovery answers 500
					status = http.StatusInternalServerError
				}
			}
			ent := JournalEntry{Time: e.clock.Now().UTC(), RequestID: w.Header().Get("X-Request-Id"),
				Method: r.Method, Path: safePath(r, route), Route: route, Status: status, Code: zohoCode(rec.head),
				DurationMS: float64(time.Since(start).Microseconds()) / 1000,
				Decision:   d.String(), Step: d.Step, Caller: callerOf(d.Principal)}
			if ent.Caller == nil {
				ent.Caller = callerOf(caller)
			}
			if faulted {
				ent.Fault = rule.describe(id)
			}
			e.journal.add(ent)
		}()
		if !faulted || e.applyFault(rec, r2, rule) {
			h.ServeHTTP(rec, r2)
		}
		served = true
	})
}

// journalFilter is the query of GET /__emulator/journal.
type journalFilter struct {
	status, statusClass int
	code, route, user   string
	client, method      string
	decision            string
	faulted             *bool
	sinceSeq            uint64
	sinceTime           time.Time
	limit               int
}

func badFilter(name, msg string) error {
	return crmguard.NewError(crmguard.CodeInvalidData, msg, crmguard.Details{"param_name": name})
}

func parseJournalFilter(q url.Values) (journalFilter, error) {
	f := journalFilter{code: q.Get("code"), route: q.Get("route"), user: q.Get("user"), client: q.Get("client"),
		method: strings.ToUpper(q.Get("method")), decision: q.Get("decision")}
	if s := q.Get("status"); s != "" {
		if len(s) == 3 && strings.HasSuffix(s, "xx") && s[0] >= '1' && s[0] <= '5' {
			f.statusClass = int(s[0] - '0')
		} else if n, err := strconv.Atoi(s); err == nil && n >= 100 && n <= 599 {
			f.status = n
		} else {
			return f, badFilter("status", "status is a code such as 401 or a class such as 4xx")
		}
	}
	if s := q.Get("since"); s != "" {
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			f.sinceSeq = n
		} else if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			f.sinceTime = t
		} else {
			return f, badFilter("since", "since is an entry's seq (entries after it) or an RFC 3339 time (entries at or after it)")
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return f, badFilter("limit", "limit is a positive number: the newest entries that match")
		}
		f.limit = n
	}
	if s := q.Get("faulted"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return f, badFilter("faulted", "faulted is true or false")
		}
		f.faulted = &b
	}
	return f, nil
}

func (f *journalFilter) keep(e *JournalEntry) bool {
	switch {
	case f.status != 0 && e.Status != f.status,
		f.statusClass != 0 && e.Status/100 != f.statusClass,
		f.code != "" && !strings.EqualFold(e.Code, f.code),
		f.route != "" && e.Route != f.route && routePath(e.Route) != f.route,
		f.method != "" && e.Method != f.method,
		f.client != "" && (e.Caller == nil || e.Caller.ClientID != f.client),
		f.user != "" && (e.Caller == nil || (e.Caller.UserID != f.user && !strings.EqualFold(e.Caller.Email, f.user))),
		f.faulted != nil && (e.Fault != "") != *f.faulted,
		f.sinceSeq != 0 && e.Seq <= f.sinceSeq,
		!f.sinceTime.IsZero() && e.Time.Before(f.sinceTime):
		return false
	}
	switch f.decision {
	case "":
		return true
	case "allowed":
		return e.Decision == "allowed"
	case "denied":
		return e.Step != ""
	}
	return e.Step == f.decision
}

func (e *Emulator) registerJournal(mux *http.ServeMux) {
	e.handle(mux, "GET "+Prefix+"journal", func(w http.ResponseWriter, r *http.Request) error {
		if e.journal == nil {
			return crmguard.NewError(crmguard.CodeNotAllowed, "the journal is off (journal size below 0)", nil)
		}
		f, err := parseJournalFilter(r.URL.Query())
		if err != nil {
			return err
		}
		entries, last := e.journal.entries(f.keep, f.limit)
		return web.WriteJSON(w, http.StatusOK, map[string]any{"entries": entries, "last_seq": last, "size": len(e.journal.buf)})
	})
	e.handle(mux, "DELETE "+Prefix+"journal", func(w http.ResponseWriter, r *http.Request) error {
		n := 0
		if e.journal != nil {
			n = e.journal.clear()
		}
		return success(w, "journal cleared", crmguard.Details{"cleared": n})
	})
}
