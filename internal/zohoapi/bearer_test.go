package zohoapi_test

import (
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestBearerScheme: the API takes the token in either scheme, the scheme
// name in any case (RFC 6750 §2.1), and answers both alike; another
// scheme is INVALID_TOKEN, as Zoho answers a malformed header.
func TestBearerScheme(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	tok := env.Token(t, "", allScopes)
	for _, c := range []struct {
		header string
		status int
	}{
		{"Zoho-oauthtoken " + tok, http.StatusOK},
		{"zoho-OAUTHTOKEN " + tok, http.StatusOK},
		{"Bearer " + tok, http.StatusOK},
		{"bearer " + tok, http.StatusOK},
		{"BEARER  " + tok, http.StatusOK},
		{"Basic " + tok, http.StatusUnauthorized},
		{"Bearer", http.StatusUnauthorized},
		{"Bearer ", http.StatusUnauthorized},
		{tok, http.StatusUnauthorized},
		{"Bearertoken " + tok, http.StatusUnauthorized},
	} {
		for _, path := range []string{"/crm/v2/users?type=CurrentUser", "/crm/v8/org"} {
			resp := env.Do(t, "GET", path, "", "", "Authorization", c.header)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("%q on %s: %d %s, want %d", c.header, path, resp.StatusCode, body, c.status)
			}
		}
	}
}

// TestRateLimitHeaders: every granted call carries X-RATELIMIT-LIMIT (the
// org's credits for 24 hours), X-RATELIMIT-REMAINING (those left after
// the call) and X-RATELIMIT-RESET (when the oldest spent credit frees, in
// Unix milliseconds, as @dereekb/zoho reads it); the daily limit's 429
// carries them too, with nothing remaining and the reset its Retry-After
// names.
func TestRateLimitHeaders(t *testing.T) {
	const credits = 3
	env := testenv.New(t, testenv.Options{Guard: guard.Config{Credits: credits}})
	tok := env.Token(t, "", allScopes)
	first := env.Clock.Now()
	wantReset := strconv.FormatInt(first.Add(24*time.Hour).UnixMilli(), 10) // the clock is minute-aligned
	for i := 1; i <= credits; i++ {
		resp := env.Do(t, "GET", "/crm/v8/org", "", "", "Authorization", "Bearer "+tok)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("call %d: %d", i, resp.StatusCode)
		}
		h := resp.Header
		if got := h.Get("X-RATELIMIT-LIMIT"); got != strconv.Itoa(credits) {
			t.Errorf("call %d: X-RATELIMIT-LIMIT %q", i, got)
		}
		if got := h.Get("X-RATELIMIT-REMAINING"); got != strconv.Itoa(credits-i) {
			t.Errorf("call %d: X-RATELIMIT-REMAINING %q, want %d", i, got, credits-i)
		}
		if got := h.Get("X-RATELIMIT-RESET"); got != wantReset {
			t.Errorf("call %d: X-RATELIMIT-RESET %q, want %s", i, got, wantReset)
		}
		env.Clock.Advance(2 * time.Minute) // later calls spend later minutes; the first still frees first
	}
	resp := env.Do(t, "GET", "/crm/v8/org", "", "", "Authorization", "Bearer "+tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the limit: %d", resp.StatusCode)
	}
	h := resp.Header
	if h.Get("X-RATELIMIT-LIMIT") != strconv.Itoa(credits) || h.Get("X-RATELIMIT-REMAINING") != "0" || h.Get("X-RATELIMIT-RESET") != wantReset {
		t.Errorf("429 rate-limit headers: %v", h)
	}
	retry, _ := strconv.Atoi(h.Get("Retry-After"))
	if at := env.Clock.Now().Add(time.Duration(retry) * time.Second).UnixMilli(); strconv.FormatInt(at, 10) != wantReset {
		t.Errorf("Retry-After %d s lands at %d, X-RATELIMIT-RESET says %s", retry, at, wantReset)
	}
	// A refused call (no scope) is free and carries no rate-limit headers:
	// it was never counted.
	resp = env.Do(t, "GET", "/crm/v8/org", env.Token(t, "", "ZohoCRM.users.READ"), "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-RATELIMIT-REMAINING") != "" {
		t.Errorf("scope refusal: %d, X-RATELIMIT-REMAINING %q", resp.StatusCode, resp.Header.Get("X-RATELIMIT-REMAINING"))
	}
}
