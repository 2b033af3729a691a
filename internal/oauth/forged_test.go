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

// TestForgedTokensCostNoRead closes the database under a running server:
// forged tokens still get Zoho's answers (401 INVALID_TOKEN from the API,
// 400 invalid_token from revocation), so nothing read the database for
// them; a genuine token not yet cached then fails with 500, which shows the
// same server does go to the database for a token that passes the check.
func TestForgedTokensCostNoRead(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	real := env.Token(t, "", "ZohoCRM.org.READ")
	if resp := env.Do(t, "GET", "/crm/v8/org", real, ""); resp.StatusCode != 200 {
		t.Fatalf("a real token: %d %s", resp.StatusCode, readBody(t, resp))
	}
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
		resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
		if body := readBody(t, resp); resp.StatusCode != 401 || !strings.Contains(body, `"code":"INVALID_TOKEN"`) {
			t.Errorf("API, %s token: %d %s; want 401 INVALID_TOKEN without a read", name, resp.StatusCode, body)
		}
		resp = post(t, env, "/oauth/v2/token/revoke", url.Values{"token": {tok}})
		if body := readBody(t, resp); resp.StatusCode != 400 || body != `{"error":"invalid_token","status":"failure"}` {
			t.Errorf("revoke, %s token: %d %s; want 400 invalid_token without a read", name, resp.StatusCode, body)
		}
	}
	// The control: a genuine token needs the database, which is closed.
	if resp := env.Do(t, "GET", "/crm/v8/org", uncached, ""); resp.StatusCode != 500 {
		t.Errorf("a genuine uncached token with the database closed: %d, want 500", resp.StatusCode)
	}
}
