package emulator

import (
	"context"
	"encoding/hex"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// The actions a fault rule can take.
const (
	FaultError    = "error"    // a Zoho error: its code, real status and body
	FaultStatus   = "status"   // a bare status (a proxy's 502, a 503), optionally with a body
	FaultThrottle = "throttle" // 429 TOO_MANY_REQUESTS with Retry-After
	FaultDelay    = "delay"    // wait, then let the request proceed
)

// maxDelay bounds a delay fault: longer than any client timeout worth
// testing, shorter than the server's own write timeout.
const maxDelay = 50 * time.Second

// FaultRule is one injected fault: which requests it matches, how many of
// them it takes, and what it answers. Match fields that are empty match
// everything; set ones are ANDed.
type FaultRule struct {
	// Method matches the request's method (case-insensitive).
	Method string `json:"method,omitempty"`
	// Route matches the route pattern the request would be served by,
	// e.g. "GET /crm/{version}/users" or "/crm/{version}/users/{id}".
	Route string `json:"route,omitempty"`
	// PathPrefix matches the start of the request's path.
	PathPrefix string `json:"path_prefix,omitempty"`
	// User (an id or an e-mail) and Client (a client id) match the caller
	// of the request's access token.
	User   string `json:"user,omitempty"`
	Client string `json:"client,omitempty"`
	// Token matches requests that carry this access token. It is kept
	// only as a hash and never shown again.
	Token string `json:"token,omitempty"`

	// Count is how many matching requests the rule takes; 0 is every one
	// until the rule is cleared.
	Count int `json:"count,omitempty"`

	Action string `json:"action"`
	// Code, Message and Details make the body of an error fault; Status
	// overrides the code's own status (or is the status of a status
	// fault); Body is a status fault's body, sent as it is.
	Code    string           `json:"code,omitempty"`
	Message string           `json:"message,omitempty"`
	Details crmguard.Details `json:"details,omitempty"`
	Status  int              `json:"status,omitempty"`
	Body    string           `json:"body,omitempty"`
	// RetryAfter is the Retry-After of a throttle fault, in seconds.
	RetryAfter int `json:"retry_after,omitempty"`
	// DelayMS is how long a delay fault holds the request.
	DelayMS int `json:"delay_ms,omitempty"`
}

// fault is a rule in force.
type fault struct {
	id        string
	rule      FaultRule // Token emptied: tokenHash holds it
	tokenHash *[32]byte
	remaining int // of Count; unused when Count is 0
	hits      int
	created   time.Time
}

// FaultView is a rule as listed: the token shown only by a short prefix
// of its hash.
type FaultView struct {
	ID string `json:"id"`
	FaultRule
	TokenHash string `json:"token_sha256_prefix,omitempty"`
	Remaining *int   `json:"remaining"` // null: until cleared
	Hits      int    `json:"hits"`
	CreatedAt string `json:"created_at"`
}

// faults holds the rules in force, in the order they were added: the
// first that matches a request applies, and only it.
type faults struct {
	mu    sync.Mutex
	rules []*fault
	next  int
	// needCaller is how many rules match by user or client, which needs
	// the request's token resolved to a principal.
	needCaller int
}

var codeWord = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,63}$`)

func badFault(field, msg string) error {
	return crmguard.NewError(crmguard.CodeInvalidData, msg, crmguard.Details{"api_name": field})
}

// validate checks a rule and fills its defaults.
func (r *FaultRule) validate() error {
	if r.Count < 0 {
		return badFault("count", "count is the number of requests the fault takes, 0 for every one until cleared")
	}
	if r.PathPrefix != "" && !strings.HasPrefix(r.PathPrefix, "/") {
		return badFault("path_prefix", "path_prefix starts with /")
	}
	r.Method = strings.ToUpper(r.Method)
	if r.Route != "" && r.Method == "" {
		if m, _, ok := strings.Cut(r.Route, " "); ok {
			r.Method = m
		}
	}
	switch r.Action {
	case FaultError:
		if !codeWord.MatchString(r.Code) {
			return badFault("code", "an error fault needs a Zoho code, such as INVALID_TOKEN, NO_PERMISSION or INTERNAL_ERROR")
		}
		if r.Status != 0 && (r.Status < 400 || r.Status > 599) {
			return badFault("status", "status is an HTTP error status, 400 to 599")
		}
		if r.Message == "" {
			r.Message = defaultMessage(r.Code)
		}
	case FaultStatus:
		if r.Status == 0 {
			r.Status = http.StatusServiceUnavailable
		}
		if r.Status < 400 || r.Status > 599 {
			return badFault("status", "a status fault answers 400 to 599")
		}
	case FaultThrottle:
		if r.RetryAfter <= 0 {
			r.RetryAfter = 60
		}
	case FaultDelay:
		if r.DelayMS <= 0 || time.Duration(r.DelayMS)*time.Millisecond > maxDelay {
			return badFault("delay_ms", "a delay fault waits 1 ms to "+strconv.Itoa(int(maxDelay/time.Millisecond))+" ms")
		}
	default:
		return badFault("action", "action is error, status, throttle or delay")
	}
	return nil
}

// defaultMessage is Zoho's message for the codes crmguard answers itself,
// so an injected error reads like a real one.
func defaultMessage(code string) string {
	switch code {
	case crmguard.CodeInvalidToken:
		return "invalid oauth token"
	case crmguard.CodeAuthenticationFailure:
		return "Authentication failed"
	case crmguard.CodeNoPermission:
		return "permission denied"
	case crmguard.CodeOAuthScopeMismatch:
		return "invalid oauth scope to access this URL"
	case crmguard.CodeInactiveUser:
		return "Inactive user cannot access the API."
	case crmguard.CodeInternalError:
		return "Internal server error occurred."
	case crmguard.CodeTooManyRequests:
		return "The number of API requests for the 24 hour period is exceeded"
	}
	return "injected fault"
}

// add puts a checked rule in force and returns its view.
func (f *faults) add(r FaultRule, now time.Time) FaultView {
	ft := &fault{rule: r, remaining: r.Count, created: now}
	if r.Token != "" {
		h := service.HashToken(r.Token)
		ft.tokenHash = &h
		ft.rule.Token = ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	ft.id = strconv.Itoa(f.next)
	f.rules = append(f.rules, ft)
	if r.User != "" || r.Client != "" {
		f.needCaller++
	}
	return ft.view()
}

func (ft *fault) view() FaultView {
	v := FaultView{ID: ft.id, FaultRule: ft.rule, Hits: ft.hits, CreatedAt: ft.created.UTC().Format(time.RFC3339Nano)}
	if ft.rule.Count > 0 {
		n := ft.remaining
		v.Remaining = &n
	}
	if ft.tokenHash != nil {
		v.TokenHash = hex.EncodeToString(ft.tokenHash[:4])
	}
	return v
}

func (f *faults) list() []FaultView {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultView, 0, len(f.rules))
	for _, ft := range f.rules {
		out = append(out, ft.view())
	}
	return out
}

// clear removes the rule id, or every rule when id is "". It reports how
// many it removed.
func (f *faults) clear(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.rules)
	f.rules = slices.DeleteFunc(f.rules, func(ft *fault) bool { return id == "" || ft.id == id })
	f.countCallers()
	return n - len(f.rules)
}

func (f *faults) countCallers() {
	f.needCaller = 0
	for _, ft := range f.rules {
		if ft.rule.User != "" || ft.rule.Client != "" {
			f.needCaller++
		}
	}
}

// empty reports, cheaply, whether no rule is in force.
func (f *faults) empty() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.rules) == 0
}

// faultRequest is what a rule is matched against.
type faultRequest struct {
	method, path, route string
	tokenHash           *[32]byte
	caller              *crmguard.Principal
}

func (ft *fault) matches(q *faultRequest) bool {
	r := &ft.rule
	switch {
	case r.Method != "" && r.Method != q.method,
		r.PathPrefix != "" && !strings.HasPrefix(q.path, r.PathPrefix),
		r.Route != "" && r.Route != q.route && r.Route != routePath(q.route),
		ft.tokenHash != nil && (q.tokenHash == nil || *ft.tokenHash != *q.tokenHash),
		r.Client != "" && (q.caller == nil || q.caller.ClientID != r.Client):
		return false
	case r.User != "":
		return q.caller != nil && (strings.EqualFold(q.caller.Email, r.User) || q.caller.UserID.String() == r.User)
	}
	return true
}

// take finds the first rule that matches q and spends one of its count;
// a rule whose count is spent leaves the list.
func (f *faults) take(q *faultRequest) (FaultRule, string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.rules {
		if !ft.matches(q) {
			continue
		}
		ft.hits++
		if ft.rule.Count > 0 {
			ft.remaining--
			if ft.remaining == 0 {
				f.rules = slices.Delete(f.rules, i, i+1)
				f.countCallers()
			}
		}
		return ft.rule, ft.id, true
	}
	return FaultRule{}, "", false
}

// routePath is a route pattern without its method.
func routePath(pattern string) string {
	if _, p, ok := strings.Cut(pattern, " "); ok {
		return p
	}
	return pattern
}

// requestToken is the access token a request carries, or "".
func requestToken(r *http.Request) string {
	v := r.Header.Get("Authorization")
	for _, prefix := range []string{"Zoho-oauthtoken ", "Bearer "} {
		if len(v) > len(prefix) && strings.EqualFold(v[:len(prefix)], prefix) {
			return strings.TrimSpace(v[len(prefix):])
		}
	}
	return ""
}

// faultFor matches the request against the rules in force. It resolves the
// request's token to its caller only when a rule needs it: a read from
// storage per request, acceptable in an emulator and only while such a
// rule is in force.
func (e *Emulator) faultFor(r *http.Request, route string) (rule FaultRule, id string, caller *crmguard.Principal, ok bool) {
	if e.faults.empty() {
		return FaultRule{}, "", nil, false
	}
	q := faultRequest{method: r.Method, path: r.URL.Path, route: route}
	if tok := requestToken(r); tok != "" {
		h := service.HashToken(tok)
		q.tokenHash = &h
		e.faults.mu.Lock()
		need := e.faults.needCaller > 0
		e.faults.mu.Unlock()
		if need {
			if p, err := e.svc.Principal(r.Context(), h); err == nil {
				q.caller = p
			}
		}
	}
	rule, id, ok = e.faults.take(&q)
	return rule, id, q.caller, ok
}

// apply answers the request with the fault, or for a delay waits and
// reports that the request should go on.
func (e *Emulator) applyFault(w http.ResponseWriter, r *http.Request, rule FaultRule) (proceed bool) {
	switch rule.Action {
	case FaultDelay:
		return sleep(r.Context(), time.Duration(rule.DelayMS)*time.Millisecond)
	case FaultStatus:
		body := rule.Body
		if body == "" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			body = http.StatusText(rule.Status) + "\n"
		} else if strings.HasPrefix(strings.TrimSpace(body), "{") || strings.HasPrefix(strings.TrimSpace(body), "[") {
			w.Header().Set("Content-Type", web.ContentTypeJSON)
		} else {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(rule.Status)
		_, _ = w.Write([]byte(body))
	case FaultThrottle:
		web.WriteError(w, r, e.log, &crmguard.Error{Code: crmguard.CodeTooManyRequests, RetryAfter: rule.RetryAfter,
			Message: defaultMessage(crmguard.CodeTooManyRequests)})
	default:
		web.WriteError(w, r, e.log, &crmguard.Error{Code: rule.Code, Message: rule.Message, Details: rule.Details, Status: rule.Status})
	}
	return false
}

// sleep waits d unless the client leaves first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// describe is a fault as the journal shows it.
func (r *FaultRule) describe(id string) string {
	s := "fault " + id + ": "
	switch r.Action {
	case FaultDelay:
		return s + "delay " + (time.Duration(r.DelayMS) * time.Millisecond).String()
	case FaultStatus:
		return s + "status " + strconv.Itoa(r.Status)
	case FaultThrottle:
		return s + "429 TOO_MANY_REQUESTS, Retry-After " + strconv.Itoa(r.RetryAfter)
	}
	return s + "error " + r.Code
}

func (e *Emulator) registerFaults(mux *http.ServeMux) {
	// A restored state may lack the users, clients and tokens the rules
	// name: a reset starts without faults, as the server started.
	e.OnRestore(func() { e.faults.clear("") })
	e.handle(mux, "POST "+Prefix+"faults", func(w http.ResponseWriter, r *http.Request) error {
		var rule FaultRule
		if err := decode(w, r, &rule); err != nil {
			return err
		}
		if err := rule.validate(); err != nil {
			return err
		}
		v := e.faults.add(rule, e.clock.Now())
		e.log.Info("emulator fault added", "id", v.ID, "action", v.Action)
		return web.WriteJSON(w, http.StatusCreated, v)
	})
	e.handle(mux, "GET "+Prefix+"faults", func(w http.ResponseWriter, r *http.Request) error {
		return web.WriteJSON(w, http.StatusOK, map[string]any{"faults": e.faults.list()})
	})
	e.handle(mux, "DELETE "+Prefix+"faults", func(w http.ResponseWriter, r *http.Request) error {
		return success(w, "faults cleared", crmguard.Details{"cleared": e.faults.clear("")})
	})
	e.handle(mux, "DELETE "+Prefix+"faults/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if e.faults.clear(id) == 0 {
			return &crmguard.Error{Code: crmguard.CodeInvalidData, Status: http.StatusNotFound,
				Message: "no fault with that id", Details: crmguard.Details{"api_name": "id", "id": id}}
		}
		return success(w, "fault cleared", crmguard.Details{"id": id})
	})
}
