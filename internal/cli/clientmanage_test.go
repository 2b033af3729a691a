package cli_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestClientRotateAndDelete: against a running server, a rotated secret
// replaces the old one at /oauth/v2/token while minted tokens keep working;
// a deleted client's tokens are refused and its credentials stop working.
func TestClientRotateAndDelete(t *testing.T) {
	dir := t.TempDir()
	base, _ := serve(t, dir)
	d := []string{"--data-dir", dir}
	ok := mustRun(t, d)
	var cl struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(ok("client_secret", "client", "create", "--name", "Nightly sync", "--json")), &cl); err != nil {
		t.Fatal(err)
	}
	var grant struct{ Code string }
	if err := json.Unmarshal([]byte(ok("code", "token", "grant", "--client-id", cl.ID, "--scopes", "ZohoCRM.org.READ", "--json")), &grant); err != nil {
		t.Fatal(err)
	}
	token := func(form url.Values) map[string]any {
		t.Helper()
		resp, err := http.PostForm(base+"/oauth/v2/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("/oauth/v2/token: %v %s", err, b)
		}
		return m
	}
	issued := token(url.Values{"grant_type": {"authorization_code"}, "client_id": {cl.ID}, "client_secret": {cl.Secret}, "code": {grant.Code}})
	access, _ := issued["access_token"].(string)
	refresh, _ := issued["refresh_token"].(string)
	if access == "" || refresh == "" {
		t.Fatalf("exchange: %v", issued)
	}
	refreshWith := func(secret string) map[string]any {
		return token(url.Values{"grant_type": {"refresh_token"}, "client_id": {cl.ID}, "client_secret": {secret}, "refresh_token": {refresh}})
	}

	var rotated struct {
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(ok(cl.ID, "client", "rotate-secret", cl.ID, "--json")), &rotated); err != nil || rotated.Secret == "" || rotated.Secret == cl.Secret {
		t.Fatalf("rotate-secret: %v %q", err, rotated.Secret)
	}
	if got := refreshWith(cl.Secret); got["error"] != "invalid_client_secret" && got["error"] != "invalid_client" {
		t.Errorf("refresh with the old secret: %v", got)
	}
	if got := refreshWith(rotated.Secret); got["access_token"] == nil {
		t.Errorf("refresh with the new secret: %v", got)
	}
	waitStatus(t, base+"/crm/v8/org", access, 200)

	ok("its tokens are revoked", "client", "delete", cl.ID)
	waitStatus(t, base+"/crm/v8/org", access, 401)
	if got := refreshWith(rotated.Secret); got["access_token"] != nil {
		t.Errorf("refresh after delete: %v", got)
	}
	if list := ok("CLIENT_ID", "client", "list"); strings.Contains(list, cl.ID) {
		t.Errorf("client list after delete:\n%s", list)
	}
	for _, args := range [][]string{{"client", "delete", cl.ID}, {"client", "rotate-secret", cl.ID}} {
		if _, stderr, code := run(t, noEnv, append(args, d...)...); code != 1 || !strings.Contains(stderr, "no client with client_id "+cl.ID) {
			t.Errorf("%v on a deleted client: %d %q", args, code, stderr)
		}
	}
	audit := ok("client.delete", "audit", "list", "--action", "client.", "--json")
	if !strings.Contains(audit, "client.rotate_secret") || strings.Contains(audit, rotated.Secret) || strings.Contains(audit, cl.Secret) {
		t.Errorf("audit of client changes:\n%s", audit)
	}
}
