package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestRevokeBackIsNoOpenRedirect: the token revoke form's back field
// decides where the console goes afterwards. Whatever an attacker puts
// there, the redirect (and the confirmation's Cancel link) stays on a
// console page of this server; only a plain /console/ path is kept.
func TestRevokeBackIsNoOpenRedirect(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c, csrf := adminClient(t, env)
	pat := env.User(t, patricia)
	const fallback = "/console/setup/api"
	hostile := []string{
		`/\evil.test`,
		`//evil.test`,
		`/\/evil.test`,
		`\\evil.test`,
		`https://evil.test`,
		`https:evil.test`,
		`javascript:alert(1)`,
		`/console/../\evil.test`, // http.Redirect cleans it to /\evil.test
		`/console/..\evil.test`,
		`/console/../../evil.test`,
		`/console/..//evil.test`,
		`/console//evil.test`,
		`/console/\evil.test`,
		`/console/%2e%2e/%5Cevil.test`,
		`/console/%2e%2e%2f%2fevil.test`,
		`/console/..%2F%5Cevil.test`,
		`/%5Cevil.test`,
		`/%2F%2Fevil.test`,
		`%2F%2Fevil.test`,
		"/console/\t/evil.test",
		"/console/\x00/evil.test",
		"/console/users\r\nLocation: https://evil.test",
		` /console/users`,
		`/console/users/1@evil.test`,
		`/console/users#@evil.test`,
		`/console/users?next=https://evil.test`,
		"",
	}
	revoke := func(back string) (string, string) {
		t.Helper()
		if _, err := env.Svc.IssueTokens(context.Background(), env.Admin, pat.ID, "ZohoCRM.users.READ", false); err != nil {
			t.Fatal(err)
		}
		_, at, err := env.Svc.ListTokens(context.Background(), env.Org.ID, pat.ID)
		if err != nil || len(at) == 0 {
			t.Fatalf("tokens: %v", err)
		}
		path := env.URL + "/console/setup/api/tokens/" + at[0].ID.String() + "/revoke"
		status, loc, page := fetch(t, c, "POST", path, url.Values{"csrf": {csrf}, "back": {back}})
		if status == http.StatusSeeOther { // acted at once: no confirmation step
			t.Errorf("back %q: revoked without confirm=yes", back)
			return loc, fallback
		}
		cancel := regexp.MustCompile(`<a href="([^"]*)" id="cancel"`).FindStringSubmatch(page)
		if cancel == nil {
			t.Fatalf("back %q: no confirmation page", back)
		}
		status, loc, _ = fetch(t, c, "POST", path, url.Values{"csrf": {csrf}, "back": {back}, "confirm": {"yes"}})
		if status != http.StatusSeeOther {
			t.Fatalf("back %q: %d", back, status)
		}
		return loc, cancel[1]
	}
	for _, back := range hostile {
		loc, cancel := revoke(back)
		if want := fallback + "?done=The+token+is+revoked."; loc != want {
			t.Errorf("back %q: Location %q, want %q", back, loc, want)
		}
		if cancel != fallback {
			t.Errorf("back %q: Cancel link %q, want %q", back, cancel, fallback)
		}
	}
	// A console page is kept, with its query.
	for _, back := range []string{"/console/users/" + pat.ID.String(), "/console/users?type=ActiveUsers&page=2"} {
		loc, cancel := revoke(back)
		if !strings.HasPrefix(loc, back) || !strings.Contains(loc, "done=") || strings.ReplaceAll(cancel, "&amp;", "&") != back {
			t.Errorf("back %q: Location %q, Cancel %q", back, loc, cancel)
		}
	}
}
