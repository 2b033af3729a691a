package guard_test

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
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

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestForgedTokensCostNoRead closes the database under a running server:
// forged tokens still get Zoho's answer (401 INVALID_TOKEN), so the guard
// read nothing for them; a genuine token not yet cached then fails with
// 500, which shows the same server does go to the database for a token
// that passes the check.
func TestForgedTokensCostNoRead(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	real := env.Token(t, "", "ZohoCRM.org.READ")
	if resp := env.Do(t, "GET", "/crm/v8/org", real, ""); resp.StatusCode != 200 {
		t.Fatalf("a real token: %d %s", resp.StatusCode, readBody(t, resp))
	}
	uncached := env.Token(t, "", "ZohoCRM.org.READ")
	env.Store.Close() // every read from here on fails

	for name, tok := range forgedTokens(uncached) {
		resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
		if body := readBody(t, resp); resp.StatusCode != 401 || !strings.Contains(body, `"code":"INVALID_TOKEN"`) {
			t.Errorf("API, %s token: %d %s; want 401 INVALID_TOKEN without a read", name, resp.StatusCode, body)
		}
	}
	// The control: a genuine token needs the database, which is closed.
	if resp := env.Do(t, "GET", "/crm/v8/org", uncached, ""); resp.StatusCode != 500 {
		t.Errorf("a genuine uncached token with the database closed: %d, want 500", resp.StatusCode)
	}
}

// forgedTokens are tokens no server issued, several made from a genuine one.
func forgedTokens(genuine string) map[string]string {
	return map[string]string{
		"random":                randomToken(),
		"pre-upgrade shape":     "1000.00000000000000000000000000000000.00000000000000000000000000000000",
		"real, check changed":   flip(genuine, len(genuine)-1),
		"real, body changed":    flip(genuine, 10),
		"real, upper-case":      "1000." + strings.ToUpper(genuine[5:]),
		"real plus a character": genuine + "0",
		"short":                 "1000.nope",
	}
}
