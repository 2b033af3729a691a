package oauth_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// randomToken has the shape of a real token: 1000.<32 hex>.<32 hex>.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "1000." + hex.EncodeToString(b[:16]) + "." + hex.EncodeToString(b[16:])
}

// flip changes the hex digit at i, keeping the shape.
func flip(tok string, i int) string {
	c := byte('0')
	if tok[i] == '0' {
		c = '1'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

// TestForgedTokensCostNoReadAtRevoke closes the database under a running
// server: revoking a forged token still gets Zoho's answer (400
// invalid_token), so nothing read the database for it. The API's side of
// the same check is pinned in internal/guard.
func TestForgedTokensCostNoReadAtRevoke(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	uncached := env.Token(t, "", "ZohoCRM.org.READ")
	env.Store.Close() // every read from here on fails

	forged := map[string]string{
		"random":                randomToken(),
		"pre-upgrade shape":     "1000.00000000000000000000000000000000.00000000000000000000000000000000",
		"real, check changed":   flip(uncached, len(uncached)-1),
		"real, body changed":    flip(uncached, 10),
		"real, upper-case":      "1000." + strings.ToUpper(uncached[5:]),
		"real plus a character": uncached + "0",
		"short":                 "1000.nope",
	}
	for name, tok := range forged {
		resp := post(t, env, "/oauth/v2/token/revoke", url.Values{"token": {tok}})
		if body := readBody(t, resp); resp.StatusCode != 400 || body != `{"error":"invalid_token","status":"failure"}` {
			t.Errorf("revoke, %s token: %d %s; want 400 invalid_token without a read", name, resp.StatusCode, body)
		}
	}
	// The control: a genuine token needs the database, which is closed.
	if resp := post(t, env, "/oauth/v2/token/revoke", url.Values{"token": {uncached}}); resp.StatusCode != 500 {
		t.Errorf("revoking a genuine token with the database closed: %d %s, want 500", resp.StatusCode, readBody(t, resp))
	}
}
