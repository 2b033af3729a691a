package cli_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestTokenList lists live tokens with client, user, scopes and a refresh
// token's last use, which moves when the running server refreshes with it;
// a revoked token leaves the list and no value is ever printed.
func TestTokenList(t *testing.T) {
	dir := t.TempDir()
	base, out := serve(t, dir)
	m := regexp.MustCompile(`client_id (1000\.\S+)\s+client_secret (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no client in the banner:\n%s", out.String())
	}
	d := []string{"--data-dir", dir}
	ok := mustRun(t, d)
	var issued struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	if err := json.Unmarshal([]byte(ok("refresh_token", "token", "issue", "--scopes", "ZohoCRM.org.READ", "--refresh", "--json")), &issued); err != nil {
		t.Fatal(err)
	}
	type token struct {
		ID, Kind, User, Scopes string
		ClientID               string  `json:"client_id"`
		LastUsed               *string `json:"last_used"`
	}
	list := func(args ...string) []token {
		t.Helper()
		var l struct{ Tokens []token }
		stdout := ok("tokens", append([]string{"token", "list", "--json"}, args...)...)
		if err := json.Unmarshal([]byte(stdout), &l); err != nil {
			t.Fatal(err)
		}
		// Only the tokens this test issued: serve may mint its own.
		var mine []token
		for _, tk := range l.Tokens {
			if tk.Scopes == "ZohoCRM.org.READ" {
				mine = append(mine, tk)
			}
		}
		if strings.Contains(stdout, issued.Access) || strings.Contains(stdout, issued.Refresh) {
			t.Fatalf("token list printed a token value: %s", stdout)
		}
		return mine
	}
	before := list("--user", "admin@example.com")
	if len(before) != 2 || before[0].Kind != "refresh" || before[0].ClientID != m[1] || before[0].User != "admin@example.com" ||
		before[0].LastUsed != nil || before[1].Kind != "access" {
		t.Fatalf("token list: %+v", before)
	}
	resp, err := http.PostForm(base+"/oauth/v2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {m[1]},
		"client_secret": {m[2]}, "refresh_token": {issued.Refresh}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("refresh: %v %v", resp, err)
	}
	resp.Body.Close()
	after := list()
	if len(after) != 3 || after[0].LastUsed == nil {
		t.Errorf("after a refresh: %+v", after)
	}
	table := ok("LAST_USED", "token", "list")
	if !strings.Contains(table, "admin@example.com") || !strings.Contains(table, "refresh") || !strings.Contains(table, m[1]) {
		t.Errorf("token list table:\n%s", table)
	}
	ok("revoked", "token", "revoke", issued.Refresh)
	if left := list(); len(left) != 0 {
		t.Errorf("after revoking the refresh token (with its access tokens): %+v", left)
	}
	if _, stderr, code := run(t, noEnv, append([]string{"token", "list", "--user", "nobody@example.com"}, d...)...); code != 1 || !strings.Contains(stderr, "nobody@example.com") {
		t.Errorf("unknown --user: %d %q", code, stderr)
	}
}
