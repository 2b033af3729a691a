package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/service"
)

const (
	salesUser    = "patricia.boyle@example.com" // Sales: API access, no Manage_Users
	standardUser = "grace.nwosu@example.com"    // Standard: no API access
)

// token mints an access token for the user with this e-mail ("" for the
// primary contact) and scopes.
func (e *env) token(t testing.TB, email, scopes string) string {
	t.Helper()
	ctx := context.Background()
	org := e.stack.Org
	admin := crmguard.Actor{OrgID: org.ID, UserID: org.PrimaryUserID, Source: crmguard.SourceCLI}
	id := org.PrimaryUserID
	if email != "" {
		u, err := e.stack.Service.UserByEmail(ctx, org.ID, email)
		if err != nil {
			t.Fatal(err)
		}
		id = u.ID
	}
	tok, err := e.stack.Service.IssueTokens(ctx, admin, id, scopes, false)
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

type journalAnswer struct {
	Entries []emulator.JournalEntry `json:"entries"`
	LastSeq uint64                  `json:"last_seq"`
}

// journal reads GET /__emulator/journal with the query q.
func (e *env) journal(t testing.TB, q string) journalAnswer {
	t.Helper()
	var a journalAnswer
	if err := json.Unmarshal([]byte(e.emu(t, http.StatusOK, "GET", emulator.Prefix+"journal?"+q, "")), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// last is the newest journal entry.
func (e *env) last(t testing.TB) emulator.JournalEntry {
	t.Helper()
	a := e.journal(t, "limit=1")
	if len(a.Entries) != 1 {
		t.Fatalf("journal: %+v", a)
	}
	return a.Entries[0]
}

// TestJournalSaysWhy: each denial of the pipeline, and an allowed call,
// as a developer reads it in the journal, through real HTTP calls that
// real changes to the org made fail.
func TestJournalSaysWhy(t *testing.T) {
	e := start(t, server.Options{Demo: true, Emulator: &emulator.Config{Key: testKey}})
	ctx := context.Background()
	org := e.stack.Org
	admin := crmguard.Actor{OrgID: org.ID, UserID: org.PrimaryUserID, Source: crmguard.SourceCLI}
	sales := e.token(t, salesUser, "ZohoCRM.org.READ,ZohoCRM.users.ALL")
	orgOnly := e.token(t, salesUser, "ZohoCRM.org.READ")
	standard := e.token(t, standardUser, "ZohoCRM.users.READ")
	inactive := e.token(t, standardUser, "ZohoCRM.users.READ")
	revoked := e.token(t, salesUser, "ZohoCRM.org.READ")
	if ok, err := e.stack.Service.Revoke(ctx, admin, revoked); err != nil || !ok {
		t.Fatal("revoke", err)
	}
	forged := "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef"

	cases := []struct {
		name, method, path, token string
		before                    func()
		status                    int
		code, want                string
	}{
		{"allowed", "GET", "/crm/v8/org", sales, nil, 200, "", "allowed"},
		{"no token", "GET", "/crm/v8/org", "", nil, 401, "AUTHENTICATION_FAILURE", "denied at token: no Authorization header"},
		{"forged", "GET", "/crm/v8/org", forged, nil, 401, "INVALID_TOKEN", "denied at token: unknown or forged token (its check value does not match)"},
		{"revoked", "GET", "/crm/v8/org", revoked, nil, 401, "INVALID_TOKEN", "denied at token: unknown, revoked or expired token"},
		{"scope", "GET", "/crm/v8/users", orgOnly, nil, 401, "OAUTH_SCOPE_MISMATCH",
			"denied at scope: the route needs ZohoCRM.users.READ, the token has ZohoCRM.org.READ"},
		{"api access", "GET", "/crm/v8/users", standard, nil, 403, "NO_PERMISSION", "denied at api_access: profile Standard lacks Zoho CRM API Access"},
		{"permission", "POST", "/crm/v8/users", sales, nil, 403, "NO_PERMISSION", "denied at permission: profile Sales lacks " + crmguard.PermManageUsers},
		{"status", "GET", "/crm/v8/users", inactive, func() {
			u, err := e.stack.Service.UserByEmail(ctx, org.ID, standardUser)
			if err != nil {
				t.Fatal(err)
			}
			u.Status = crmguard.UserDisabled
			if err := e.stack.Store.UpdateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			e.stack.Service.Changed()
		}, 403, "INACTIVE_USER", "denied at status: user is deactivated"},
		{"ip", "GET", "/crm/v8/org", sales, func() {
			if _, err := e.stack.Service.AddIPRule(ctx, admin, service.IPRuleInput{Range: "203.0.113.0/24", AppliesTo: crmguard.IPRuleProfile, Target: "Sales"}); err != nil {
				t.Fatal(err)
			}
		}, 403, "NO_PERMISSION", "denied at ip: 127.0.0.1 is outside the IP rules for " + salesUser + ", profile Sales"},
		{"expired", "GET", "/crm/v8/org", orgOnly, func() { e.stack.Emulator.Clock().Advance(61 * time.Minute) }, 401, "INVALID_TOKEN", "denied at token: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before()
			}
			header := []string{}
			if c.token != "" {
				header = []string{"Authorization", "Zoho-oauthtoken " + c.token}
			}
			var send string
			if c.method == "POST" {
				send = `{"users":[{"email":"x@example.com","last_name":"X"}]}`
			}
			status, body := e.do(t, c.method, c.path, send, header...)
			if status != c.status {
				t.Fatalf("%s %s: %d %s, want %d", c.method, c.path, status, body, c.status)
			}
			got := e.last(t)
			// An expired token the cache still holds is named as such; one
			// read afresh (the IP rule above moved the epoch) is as unknown
			// to storage as a revoked one.
			if c.name == "expired" && !(strings.HasPrefix(got.Decision, c.want) && strings.Contains(got.Decision, "expired")) ||
				c.name != "expired" && got.Decision != c.want {
				t.Errorf("decision %q\nwant     %q", got.Decision, c.want)
			}
			if got.Status != c.status || got.Code != c.code || got.Method != c.method {
				t.Errorf("entry %+v, want status %d code %q", got, c.status, c.code)
			}
			if got.Route != c.method+" /crm/{version}/"+strings.TrimPrefix(c.path, "/crm/v8/") {
				t.Errorf("route %q", got.Route)
			}
			if c.name == "allowed" && (got.Caller == nil || got.Caller.Email != salesUser || got.Caller.Profile != "Sales" ||
				got.Caller.Scopes != "ZohoCRM.org.READ,ZohoCRM.users.ALL" || got.Caller.ClientID == "" || got.Step != "") {
				t.Errorf("allowed call's caller: %+v", got.Caller)
			}
		})
	}
}

// TestJournalLimits: the concurrency limit and the daily credits, each
// named with the limit reached.
func TestJournalLimits(t *testing.T) {
	e := start(t, server.Options{Emulator: &emulator.Config{Key: testKey}, Guard: guard.Config{Credits: 2, Concurrency: 1}})
	tok := e.token(t, "", "ZohoCRM.org.READ")
	held := httptest.NewRequest("GET", "/crm/v8/org", nil)
	held.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	ticket, err := e.stack.Guard.Authorize(held, access.ScopeOrgRead)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := e.api(t, "GET", "/crm/v8/org", tok, ""); status != 429 {
		t.Fatalf("beside a call in flight: %d", status)
	}
	if d := e.last(t).Decision; !strings.HasPrefix(d, "denied at limits: concurrency 1 reached") {
		t.Errorf("concurrency: %q", d)
	}
	ticket.Done()
	if status, _ := e.api(t, "GET", "/crm/v8/org", tok, ""); status != 200 {
		t.Fatalf("second credit: %d", status)
	}
	if status, _ := e.api(t, "GET", "/crm/v8/org", tok, ""); status != 429 {
		t.Fatalf("past the credits: %d", status)
	}
	if d := e.last(t); !strings.HasPrefix(d.Decision, "denied at limits: the org's 2 API credits for 24 hours are spent") || d.Code != "TOO_MANY_REQUESTS" {
		t.Errorf("credits: %+v", d)
	}
}

// TestJournalFilters: every filter of GET /__emulator/journal, the bound
// of the ring, and DELETE.
func TestJournalFilters(t *testing.T) {
	e := start(t, server.Options{Demo: true, Emulator: &emulator.Config{Key: testKey, JournalSize: 8}})
	admin := e.demoToken()
	sales := e.token(t, salesUser, "ZohoCRM.org.READ")
	e.api(t, "GET", "/crm/v8/org", admin, "")              // 1 allowed admin
	e.api(t, "GET", "/crm/v8/users?per_page=2", admin, "") // 2 allowed admin
	e.api(t, "GET", "/crm/v8/users", sales, "")            // 3 scope
	e.api(t, "GET", "/crm/v8/org", sales, "")              // 4 allowed sales
	e.do(t, "GET", "/crm/v8/nowhere", "")                  // 5 unknown route
	mid := e.last(t).Seq
	e.do(t, "GET", "/crm/v8/org", "")                                                     // 6 no token
	e.do(t, "POST", "/oauth/v2/token?grant_type=authorization_code&code=secret-code", "") // 7 OAuth

	salesID := mustUser(t, e, salesUser).ID.String()
	checks := []struct {
		q    string
		seqs []uint64
	}{
		{"", []uint64{1, 2, 3, 4, 5, 6, 7}},
		{"status=401", []uint64{3, 6}},
		{"status=4xx", []uint64{3, 5, 6}},
		// Zoho's token endpoint answers its errors with 200.
		{"status=200", []uint64{1, 2, 4, 7}},
		{"code=OAUTH_SCOPE_MISMATCH", []uint64{3}},
		{"code=invalid_url_pattern", []uint64{5}},
		{"route=" + url.QueryEscape("GET /crm/{version}/org"), []uint64{1, 4, 6}},
		{"route=" + url.QueryEscape("/crm/{version}/users"), []uint64{2, 3}},
		{"user=" + salesUser, []uint64{3, 4}},
		{"user=" + salesID, []uint64{3, 4}},
		{"decision=denied", []uint64{3, 6}},
		{"decision=allowed", []uint64{1, 2, 4}},
		{"decision=scope", []uint64{3}},
		{"method=post", []uint64{7}},
		{"since=" + strconv.FormatUint(mid, 10), []uint64{6, 7}},
		{"limit=2", []uint64{6, 7}},
		{"status=200&limit=2", []uint64{4, 7}},
		{"code=invalid_client", []uint64{7}},
		{"faulted=true", nil},
	}
	for _, c := range checks {
		a := e.journal(t, c.q)
		var got []uint64
		for _, en := range a.Entries {
			got = append(got, en.Seq)
		}
		if !equalSeqs(got, c.seqs) {
			t.Errorf("%q: %v, want %v", c.q, got, c.seqs)
		}
	}
	// client= selects exactly the calls made with that client.
	clientOf := map[uint64]string{}
	for _, en := range e.journal(t, "").Entries {
		if en.Caller != nil {
			clientOf[en.Seq] = en.Caller.ClientID
		}
	}
	for _, en := range e.journal(t, "client="+url.QueryEscape(clientOf[4])).Entries {
		if clientOf[en.Seq] != clientOf[4] {
			t.Errorf("client filter kept %d", en.Seq)
		}
	}
	// The OAuth call's query carried a code: the journal keeps the path only.
	for _, en := range e.journal(t, "method=POST").Entries {
		if en.Path != "/oauth/v2/token" {
			t.Errorf("OAuth path kept as %q", en.Path)
		}
	}
	// since takes a time too.
	if a := e.journal(t, "since="+url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))); len(a.Entries) != 0 {
		t.Errorf("since an hour ahead: %d entries", len(a.Entries))
	}
	// Bad filters are refused with the parameter's name.
	for _, q := range []string{"status=abc", "since=yesterday", "limit=0", "faulted=maybe"} {
		if status, body := e.do(t, "GET", emulator.Prefix+"journal?"+q, "", emulator.KeyHeader, testKey); status != 400 || !strings.Contains(body, `"param_name"`) {
			t.Errorf("%s: %d %s", q, status, body)
		}
	}
	// The ring keeps the newest 8.
	for range 5 {
		e.api(t, "GET", "/crm/v8/org", admin, "")
	}
	a := e.journal(t, "")
	if len(a.Entries) != 8 || a.Entries[0].Seq != 5 || a.Entries[7].Seq != 12 || a.LastSeq != 12 {
		t.Errorf("ring of 8 after 12: %d entries from %d, last %d", len(a.Entries), a.Entries[0].Seq, a.LastSeq)
	}
	// Control calls are not journaled, and DELETE empties it.
	e.emu(t, http.StatusOK, "DELETE", emulator.Prefix+"journal", "")
	if a := e.journal(t, ""); len(a.Entries) != 0 || a.LastSeq != 12 {
		t.Errorf("after DELETE: %+v", a)
	}
	// Without the key: 401.
	if status, _ := e.do(t, "GET", emulator.Prefix+"journal", ""); status != 401 {
		t.Errorf("journal without the key: %d", status)
	}
}

// TestJournalKeepsNoSecret: a token exchange, a token in a header, an
// invitation link and a password form leave no credential in the journal.
func TestJournalKeepsNoSecret(t *testing.T) {
	e := startEmu(t)
	admin := e.demoToken()
	secrets := []string{admin, "s3cret-Passw0rd!", "invite-token-abcdef0123456789", "grant-code-0123456789"}
	e.api(t, "GET", "/crm/v8/org", admin, "")
	e.api(t, "GET", "/crm/v8/users?type=AllUsers", admin, "")
	e.do(t, "POST", "/oauth/v2/token?grant_type=authorization_code&code="+secrets[3]+"&client_secret=x", "")
	e.do(t, "POST", "/oauth/v2/token", "grant_type=refresh_token&refresh_token="+admin, "Content-Type", "application/x-www-form-urlencoded")
	e.do(t, "GET", "/invite/"+secrets[2], "")
	e.do(t, "POST", "/console/login", "email=admin%40example.com&password="+url.QueryEscape(secrets[1]), "Content-Type", "application/x-www-form-urlencoded")
	e.do(t, "GET", "/oauth/v2/auth?client_id=x&response_type=code&redirect_uri=http://x&scope=a&state="+secrets[3], "")
	// A fault by token keeps only a prefix of the token's hash.
	e.emu(t, http.StatusCreated, "POST", emulator.Prefix+"faults", `{"token":"`+admin+`","action":"delay","delay_ms":1}`)
	e.api(t, "GET", "/crm/v8/org", admin, "")
	dump := e.emu(t, http.StatusOK, "GET", emulator.Prefix+"journal", "") + e.emu(t, http.StatusOK, "GET", emulator.Prefix+"faults", "")
	for _, s := range secrets {
		if strings.Contains(dump, s) {
			t.Errorf("the journal or fault list holds %q:\n%s", s, dump)
		}
	}
	if !strings.Contains(dump, `"path":"/invite/{token}"`) {
		t.Errorf("invitation path not replaced by its route:\n%s", dump)
	}
}

func mustUser(t testing.TB, e *env, email string) *crmguard.User {
	t.Helper()
	u, err := e.stack.Service.UserByEmail(context.Background(), e.stack.Org.ID, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
