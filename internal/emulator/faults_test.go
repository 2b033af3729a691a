package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/emulator"
)

// fault adds a rule and returns its id.
func (e *env) fault(t testing.TB, rule string) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(e.emu(t, http.StatusCreated, "POST", emulator.Prefix+"faults", rule)), &v); err != nil || v.ID == "" {
		t.Fatalf("fault %s: %v", rule, err)
	}
	return v.ID
}

type faultList struct {
	Faults []emulator.FaultView `json:"faults"`
}

func (e *env) faults(t testing.TB) []emulator.FaultView {
	t.Helper()
	var l faultList
	if err := json.Unmarshal([]byte(e.emu(t, http.StatusOK, "GET", emulator.Prefix+"faults", "")), &l); err != nil {
		t.Fatal(err)
	}
	return l.Faults
}

// TestFaultZohoErrors: an error fault answers with the code's real status
// and Zoho's body, byte for byte what crmguard itself answers for that
// code, for as many matching requests as its count; then the route works
// again and the rule is gone.
func TestFaultZohoErrors(t *testing.T) {
	e := startEmu(t)
	admin := e.demoToken()
	forged := "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef"
	_, realInvalid := e.api(t, "GET", "/crm/v8/users", forged, "")

	e.fault(t, `{"route":"GET /crm/{version}/users","count":2,"action":"error","code":"INVALID_TOKEN"}`)
	for i := range 2 {
		status, body := e.api(t, "GET", "/crm/v8/users", admin, "")
		if status != 401 || body != realInvalid {
			t.Fatalf("faulted call %d: %d %s, want 401 %s", i+1, status, body, realInvalid)
		}
	}
	if l := e.faults(t); len(l) != 0 {
		t.Errorf("a spent rule is still listed: %+v", l)
	}
	if status, _ := e.api(t, "GET", "/crm/v8/users", admin, ""); status != 200 {
		t.Errorf("after the count: %d", status)
	}
	// Other routes were never touched: only the route matched.
	cases := []struct {
		rule   string
		status int
		body   string
	}{
		{`{"route":"GET /crm/{version}/org","action":"error","code":"NO_PERMISSION","count":1}`, 403,
			`{"code":"NO_PERMISSION","details":{},"message":"permission denied","status":"error"}`},
		{`{"route":"GET /crm/{version}/org","action":"error","code":"INTERNAL_ERROR","count":1}`, 500,
			`{"code":"INTERNAL_ERROR","details":{},"message":"Internal server error occurred.","status":"error"}`},
		{`{"path_prefix":"/crm/v8/org","action":"error","code":"LIMIT_EXCEEDED","message":"too many","details":{"max":5},"count":1}`, 400,
			`{"code":"LIMIT_EXCEEDED","details":{"max":5},"message":"too many","status":"error"}`},
		{`{"method":"GET","route":"/crm/{version}/org","action":"error","code":"INVALID_DATA","status":404,"count":1}`, 404,
			`{"code":"INVALID_DATA","details":{},"message":"injected fault","status":"error"}`},
	}
	for _, c := range cases {
		e.fault(t, c.rule)
		status, body := e.api(t, "GET", "/crm/v8/org", admin, "")
		if status != c.status || body != c.body {
			t.Errorf("%s:\n got %d %s\nwant %d %s", c.rule, status, body, c.status, c.body)
		}
		if en := e.last(t); en.Code == "" || en.Fault == "" || en.Decision != "" {
			t.Errorf("journal of a faulted call: %+v", en)
		}
	}
}

// TestFaultStatusThrottleDelay: a bare 5xx, a 429 with Retry-After, and a
// delay after which the call goes through.
func TestFaultStatusThrottleDelay(t *testing.T) {
	e := startEmu(t)
	admin := e.demoToken()

	e.fault(t, `{"route":"GET /crm/{version}/org","action":"status","status":502,"count":1}`)
	resp := e.raw(t, "GET", "/crm/v8/org", admin)
	if b := body(t, resp); resp.StatusCode != 502 || b != "Bad Gateway\n" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("status fault: %d %q %s", resp.StatusCode, b, resp.Header.Get("Content-Type"))
	}
	e.fault(t, `{"route":"GET /crm/{version}/org","action":"status","status":503,"body":"{\"error\":\"maintenance\"}","count":1}`)
	resp = e.raw(t, "GET", "/crm/v8/org", admin)
	if b := body(t, resp); resp.StatusCode != 503 || b != `{"error":"maintenance"}` {
		t.Errorf("status fault with a body: %d %s", resp.StatusCode, b)
	}

	e.fault(t, `{"route":"GET /crm/{version}/org","action":"throttle","retry_after":30,"count":1}`)
	resp = e.raw(t, "GET", "/crm/v8/org", admin)
	if b := body(t, resp); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "30" || !strings.Contains(b, `"code":"TOO_MANY_REQUESTS"`) {
		t.Errorf("throttle: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	if en := e.last(t); en.Status != 429 || en.Code != "TOO_MANY_REQUESTS" || !strings.Contains(en.Fault, "429") {
		t.Errorf("journal of a throttle: %+v", en)
	}

	e.fault(t, `{"route":"GET /crm/{version}/org","action":"delay","delay_ms":300,"count":1}`)
	start := time.Now()
	status, _ := e.api(t, "GET", "/crm/v8/org", admin, "")
	if took := time.Since(start); status != 200 || took < 300*time.Millisecond {
		t.Errorf("delay: %d after %v, want 200 after at least 300ms", status, took)
	}
	if en := e.last(t); en.Decision != "allowed" || !strings.Contains(en.Fault, "delay 300ms") || en.DurationMS < 300 {
		t.Errorf("journal of a delayed call: %+v", en)
	}
	start = time.Now()
	e.api(t, "GET", "/crm/v8/org", admin, "")
	if time.Since(start) > 250*time.Millisecond {
		t.Error("the delay outlived its count")
	}
}

// TestFaultMatching: by user, client and token (resolved through the
// token's caller), by method; a rule with no count stays until cleared;
// a faulted write never reaches the handler; reset clears every rule.
func TestFaultMatching(t *testing.T) {
	e := startEmu(t)
	admin := e.demoToken()
	sales := e.token(t, salesUser, "ZohoCRM.org.READ,ZohoCRM.users.ALL")
	salesID := mustUser(t, e, salesUser).ID.String()
	status := func(tok string) int {
		s, _ := e.api(t, "GET", "/crm/v8/org", tok, "")
		return s
	}

	id := e.fault(t, `{"user":"PATRICIA.boyle@example.com","action":"error","code":"INTERNAL_ERROR"}`)
	for range 3 {
		if status(sales) != 500 || status(admin) != 200 {
			t.Fatal("a user rule with no count: the user's calls fail, others' pass, every time")
		}
	}
	if l := e.faults(t); len(l) != 1 || l[0].Remaining != nil || l[0].Hits != 3 {
		t.Errorf("listed: %+v", l)
	}
	e.emu(t, http.StatusOK, "DELETE", emulator.Prefix+"faults/"+id, "")
	if status(sales) != 200 {
		t.Error("cleared rule still applies")
	}
	e.emu(t, http.StatusNotFound, "DELETE", emulator.Prefix+"faults/"+id, "")

	e.fault(t, `{"user":"`+salesID+`","action":"error","code":"INTERNAL_ERROR","count":1}`)
	if status(sales) != 500 {
		t.Error("by user id")
	}

	en := e.last(t)
	if en.Caller == nil || en.Caller.Email != salesUser {
		t.Fatalf("a faulted call's caller: %+v", en.Caller)
	}
	e.fault(t, `{"client":"`+en.Caller.ClientID+`","action":"error","code":"INTERNAL_ERROR","count":1}`)
	if status(sales) != 500 {
		t.Error("by client")
	}

	e.fault(t, `{"token":"`+admin+`","action":"error","code":"INTERNAL_ERROR","count":1}`)
	if status(sales) != 200 || status(admin) != 500 {
		t.Error("by token")
	}

	// A faulted write is answered before the handler: no user is added.
	before := e.users(t, admin)
	e.fault(t, `{"method":"POST","path_prefix":"/crm/","action":"error","code":"INTERNAL_ERROR","count":1}`)
	if s, _ := e.api(t, "GET", "/crm/v8/org", admin, ""); s != 200 {
		t.Error("a POST rule faulted a GET")
	}
	if s, _ := e.api(t, "POST", "/crm/v8/users", admin, `{"users":[{"email":"new.person@example.com","last_name":"Person","role":"`+
		mustUser(t, e, salesUser).RoleID.String()+`","profile":"`+mustUser(t, e, salesUser).ProfileID.String()+`"}]}`); s != 500 {
		t.Errorf("faulted write: %d", s)
	}
	if after := e.users(t, admin); after != before {
		t.Error("a faulted write reached the handler")
	}

	// Reset clears the rules, and control routes are never faulted.
	e.fault(t, `{"path_prefix":"/","action":"error","code":"INTERNAL_ERROR"}`)
	e.emu(t, http.StatusOK, "POST", emulator.Prefix+"reset", "")
	if l := e.faults(t); len(l) != 0 {
		t.Errorf("after reset: %+v", l)
	}
	if status(e.demoToken()) != 200 {
		t.Error("a fault survived reset")
	}
	e.fault(t, `{"action":"error","code":"INTERNAL_ERROR"}`)
	e.emu(t, http.StatusOK, "DELETE", emulator.Prefix+"faults", "")
	if status(e.demoToken()) != 200 {
		t.Error("DELETE /faults left a rule")
	}
}

// TestFaultRuleRefused: a rule that cannot be applied is refused, naming
// the field.
func TestFaultRuleRefused(t *testing.T) {
	e := startEmu(t)
	for _, rule := range []string{
		`{"action":"explode"}`,
		`{"action":"error"}`,
		`{"action":"error","code":"lowercase"}`,
		`{"action":"error","code":"INTERNAL_ERROR","status":200}`,
		`{"action":"status","status":302}`,
		`{"action":"delay"}`,
		`{"action":"delay","delay_ms":600000}`,
		`{"action":"error","code":"INTERNAL_ERROR","count":-1}`,
		`{"action":"error","code":"INTERNAL_ERROR","path_prefix":"crm"}`,
		`{"action":"error","code":"INTERNAL_ERROR","colour":"red"}`,
	} {
		status, b := e.do(t, "POST", emulator.Prefix+"faults", rule, emulator.KeyHeader, testKey)
		if status != 400 || !strings.Contains(b, `"INVALID_DATA"`) {
			t.Errorf("%s: %d %s", rule, status, b)
		}
	}
	if status, _ := e.do(t, "POST", emulator.Prefix+"faults", `{"action":"delay","delay_ms":1}`); status != 401 {
		t.Errorf("without the key: %d", status)
	}
}

// raw sends an API call and returns the response unread.
func (e *env) raw(t testing.TB, method, path, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
