package zohoapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestDeleteRevokesTokens: a deleted user's tokens stop working at once,
// and the user's e-mail may be invited again.
func TestDeleteRevokesTokens(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	victim := f.env.Token(t, salesUser, orgScope)
	if resp := f.env.Do(t, "GET", "/crm/v8/org", victim, ""); resp.StatusCode != 200 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	resp := f.env.Do(t, "DELETE", "/crm/v8/users/"+f.refs["patricia"], f.tokens["admin"], "")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	resp = f.env.Do(t, "GET", "/crm/v8/org", victim, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("deleted user's token: %d, want 401 INVALID_TOKEN", resp.StatusCode)
	}
	body := fmt.Sprintf(`{"users":[{"last_name":"Boyle","email":"%s","role":"%s","profile":"%s"}]}`,
		salesUser, f.refs["role:Manager"], f.refs["profile:Sales"])
	resp = f.env.Do(t, "POST", "/crm/v8/users", f.tokens["admin"], body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("re-adding a deleted user's e-mail: %d, want 201", resp.StatusCode)
	}
}

// TestInvitation: an added user is not confirmed until they open an
// invitation link (made again with 'crmguard user invite', as the API shows
// it to no one) and set a password; the link works once; neither the API
// response nor the audit log carries it.
func TestInvitation(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	ctx := context.Background()
	body := fmt.Sprintf(`{"users":[{"first_name":"Ana","last_name":"Lima","email":"ana.lima@example.com","role":"%s","profile":"%s"}]}`,
		f.refs["role:Manager"], f.refs["profile:Sales"])
	resp := f.env.Do(t, "POST", "/crm/v8/users", f.tokens["admin"], body)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || strings.Contains(string(raw), "invite") {
		t.Fatalf("add: %d %s", resp.StatusCode, raw)
	}
	events, err := f.env.Store.ListAudit(ctx, f.env.Org.ID, crmguard.AuditFilter{Limit: 1})
	if err != nil || len(events) != 1 || events[0].Action != "user.add" || events[0].Source != crmguard.SourceAPI {
		t.Fatalf("audit: %+v %v", events, err)
	}
	// The link is a secret: the audit log says an invitation was made and
	// until when, never the link; a new one is made for the user instead.
	if after := string(events[0].After); strings.Contains(after, "/invite/") || !strings.Contains(after, `"invite_expires"`) {
		t.Fatalf("audit event of the invitation: %s", after)
	}
	link, err := f.env.Svc.Reinvite(ctx, f.env.Admin, f.env.User(t, "ana.lima@example.com").ID)
	if err != nil {
		t.Fatal(err)
	}
	count := func(typ string) string {
		resp := f.env.Do(t, "GET", "/crm/v8/users/actions/count?type="+typ, f.tokens["admin"], "")
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := count("NotConfirmedUsers"); got != `{"count":2}` { // Priya and Ana
		t.Errorf("not confirmed before: %s", got)
	}
	client := f.env.Server.Client()
	get, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if get.StatusCode != 200 || !strings.Contains(string(page), "ana.lima@example.com") {
		t.Fatalf("invitation page: %d %s", get.StatusCode, page)
	}
	post := func(pw, confirm string) (int, string) {
		resp, err := client.PostForm(link, url.Values{"password": {pw}, "confirm": {confirm}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, page := post("short", "short"); code != 400 || !strings.Contains(page, "at least 8") {
		t.Errorf("short password: %d %s", code, page)
	}
	if code, page := post("long enough 1", "long enough 2"); code != 400 || !strings.Contains(page, "differ") {
		t.Errorf("different passwords: %d %s", code, page)
	}
	if code, page := post("correct horse battery", "correct horse battery"); code != 200 || !strings.Contains(page, "confirmed") {
		t.Fatalf("set password: %d %s", code, page)
	}
	if got := count("NotConfirmedUsers"); got != `{"count":1}` {
		t.Errorf("not confirmed after: %s", got)
	}
	if code, _ := post("correct horse battery", "correct horse battery"); code != 404 {
		t.Errorf("link used twice: %d, want 404", code)
	}
	if u, err := f.env.Svc.Authenticate(ctx, f.env.Org.ID, "ana.lima@example.com", "correct horse battery"); err != nil || !u.Confirmed {
		t.Errorf("sign in with the new password: %v", err)
	}
	// A confirmed user's e-mail cannot change any more.
	resp = f.env.Do(t, "PUT", "/crm/v8/users", f.tokens["admin"], fmt.Sprintf(`{"users":[{"id":"%s","email":"ana@example.com"}]}`, f.env.User(t, "ana.lima@example.com").ID))
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("email of a confirmed user: %d", resp.StatusCode)
	}
}

// TestUsersAllVersions: every version path serves the Users API.
func TestUsersAllVersions(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	tok := env.Token(t, "", adminScopes)
	for _, v := range []string{"v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"} {
		for _, path := range []string{"/users", "/users?type=CurrentUser", "/users/actions/count", "/users/search?criteria=(email:starts_with:admin)", "/settings/fields?module=users"} {
			resp := env.Do(t, "GET", "/crm/"+v+path, tok, "")
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s%s: %d", v, path, resp.StatusCode)
			}
		}
	}
}

// TestUserCacheFollowsChanges: users served from the encoded-user cache
// show a change on the very next request, in either spelling.
func TestUserCacheFollowsChanges(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	get := func(v string) string {
		resp := f.env.Do(t, "GET", "/crm/"+v+"/users/"+f.refs["grace"], f.tokens["admin"], "")
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for i := 0; i < 2; i++ { // the second time from the cache
		if !strings.Contains(get("v8"), `"city":null`) || !strings.Contains(get("v2"), `"Created_By"`) {
			t.Fatalf("before: %s", get("v8"))
		}
	}
	resp := f.env.Do(t, "PUT", "/crm/v8/users/"+f.refs["grace"], f.tokens["admin"], `{"users":[{"city":"Enugu"}]}`)
	resp.Body.Close()
	if got := get("v8"); !strings.Contains(got, `"city":"Enugu"`) || strings.Contains(got, `"Created_By"`) {
		t.Errorf("v8 after the change: %s", got)
	}
	if got := get("v2"); !strings.Contains(got, `"city":"Enugu"`) || !strings.Contains(got, `"Created_By"`) {
		t.Errorf("v2 after the change: %s", got)
	}
	list := f.env.Do(t, "GET", "/crm/v8/users?ids="+f.refs["grace"], f.tokens["admin"], "")
	b, _ := io.ReadAll(list.Body)
	list.Body.Close()
	if !strings.Contains(string(b), `"city":"Enugu"`) {
		t.Errorf("list after the change: %s", b)
	}
}

// TestIfModifiedSince: a user is newer than the header when its shown
// Modified_Time is, in the list and the single form alike.
func TestIfModifiedSince(t *testing.T) {
	f := newUsersFixture(t, testenv.SQLite)
	f.env.Clock.Advance(90 * time.Second)
	resp := f.env.Do(t, "PUT", "/crm/v8/users/"+f.refs["grace"], f.tokens["admin"], `{"users":[{"city":"Jos"}]}`)
	resp.Body.Close()
	u := f.env.User(t, standardUser)
	shown := u.ModifiedTime.Truncate(time.Second).Format(time.RFC3339)
	before := u.ModifiedTime.Add(-time.Second).Truncate(time.Second).Format(time.RFC3339)
	for _, c := range []struct {
		path, since string
		want        int
	}{
		{"/crm/v8/users", shown, 304}, {"/crm/v8/users/" + f.refs["grace"], shown, 304},
		{"/crm/v8/users", before, 200}, {"/crm/v8/users/" + f.refs["grace"], before, 200},
	} {
		resp := f.env.Do(t, "GET", c.path, f.tokens["admin"], "", "If-Modified-Since", c.since)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s since %s: %d, want %d", c.path, c.since, resp.StatusCode, c.want)
		}
		if c.want == 200 && c.path == "/crm/v8/users" && (strings.Count(string(body), `"email"`) != 1 || !strings.Contains(string(body), standardUser)) {
			t.Errorf("list since %s: want only Grace: %s", c.since, body)
		}
	}
}
