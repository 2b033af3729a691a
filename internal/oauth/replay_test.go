package oauth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
	"golang.org/x/oauth2"
)

func webClient(t *testing.T, env *testenv.Env, name string) (*crmguard.Client, *oauth2.Config) {
	t.Helper()
	redirect := "http://127.0.0.1:9/cb"
	c, secret, err := env.Svc.CreateClient(context.Background(), env.Admin, name, crmguard.ClientServer, []string{redirect})
	if err != nil {
		t.Fatal(err)
	}
	return c, &oauth2.Config{ClientID: c.ClientID, ClientSecret: secret, RedirectURL: redirect,
		Scopes:   []string{"ZohoCRM.org.ALL"},
		Endpoint: oauth2.Endpoint{AuthURL: env.URL + "/oauth/v2/auth", TokenURL: env.URL + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams}}
}

// codeFor makes an authorization code for the admin as the consent page
// does: redirect URI, S256 challenge of verifier, offline access.
func codeFor(t *testing.T, env *testenv.Env, c *crmguard.Client, conf *oauth2.Config, verifier string) string {
	t.Helper()
	code, err := env.Svc.CreateGrant(context.Background(), env.Admin, service.GrantRequest{Client: c, UserID: env.Org.PrimaryUserID,
		Scopes: strings.Join(conf.Scopes, ","), RedirectURI: conf.RedirectURL, CodeChallenge: oauth2.S256ChallengeFromVerifier(verifier),
		CodeChallengeMethod: "S256", Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func apiStatus(t *testing.T, env *testenv.Env, tok string) (int, string) {
	t.Helper()
	resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
	body := readBody(t, resp)
	return resp.StatusCode, body
}

// TestReplayedCodeRevokesItsTokens: RFC 6749 §4.1.2, a code used twice is
// refused and the tokens of its first exchange (and of refreshes since) are
// revoked; the revocation commits although the answer is an error, and
// the audit log records it with its reason and no secret. Tokens of
// another grant are untouched.
func TestReplayedCodeRevokesItsTokens(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	c, conf := webClient(t, env, "Replay app")
	verifier := oauth2.GenerateVerifier()
	code := codeFor(t, env, c, conf, verifier)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
	if err != nil {
		t.Fatal(err)
	}
	// Another grant of the same client and user, which must survive.
	v2 := oauth2.GenerateVerifier()
	other, err := conf.Exchange(ctx, codeFor(t, env, c, conf, v2), oauth2.VerifierOption(v2))
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{tok.AccessToken, fresh.AccessToken, other.AccessToken} {
		if st, body := apiStatus(t, env, at); st != 200 {
			t.Fatalf("before the replay: %d %s", st, body)
		}
	}

	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), `"invalid_code"`) {
		t.Fatalf("replayed code: %v, want invalid_code", err)
	}
	for name, at := range map[string]string{"first exchange": tok.AccessToken, "refreshed since": fresh.AccessToken} {
		if st, body := apiStatus(t, env, at); st != 401 || !strings.Contains(body, `"INVALID_TOKEN"`) {
			t.Errorf("access token of the %s after the replay: %d %s, want 401 INVALID_TOKEN", name, st, body)
		}
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); err == nil || !strings.Contains(err.Error(), "invalid_code") {
		t.Errorf("refresh token of the replayed code: %v, want invalid_code", err)
	}
	if st, body := apiStatus(t, env, other.AccessToken); st != 200 {
		t.Errorf("another grant's token after the replay: %d %s", st, body)
	}

	events, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var ev *crmguard.AuditEvent
	for _, e := range events {
		if e.Action == "token.revoke" && e.TargetType == "grant" {
			ev = e
			break
		}
	}
	if ev == nil {
		t.Fatalf("no token.revoke event for the grant among %d latest", len(events))
	}
	after := string(ev.After)
	if !strings.Contains(after, `"reason":"authorization code replayed"`) || !strings.Contains(after, `"refresh_tokens":1`) || !strings.Contains(after, `"access_tokens":2`) {
		t.Errorf("audit event: %s; want the reason and 1 refresh and 2 access tokens", after)
	}
	for _, secret := range []string{code, tok.AccessToken, tok.RefreshToken, fresh.AccessToken, code[5:37], tok.RefreshToken[5:37]} {
		if strings.Contains(after, secret) || strings.Contains(string(ev.Before), secret) {
			t.Errorf("the audit event carries a secret: %s", after)
		}
	}

	// A third exchange finds nothing left to revoke, and still says invalid_code.
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), `"invalid_code"`) {
		t.Errorf("third exchange: %v", err)
	}
}

// TestCodeOfAnotherClientRevokesNothing: a client that presents a code
// issued to another client gets invalid_code and cannot revoke that
// client's tokens with it.
func TestCodeOfAnotherClientRevokesNothing(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	c, conf := webClient(t, env, "Owner app")
	_, thief := webClient(t, env, "Other app")
	thief.RedirectURL = conf.RedirectURL
	v := oauth2.GenerateVerifier()
	code := codeFor(t, env, c, conf, v)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := thief.Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil || !strings.Contains(err.Error(), `"invalid_code"`) {
		t.Fatalf("another client's exchange: %v, want invalid_code", err)
	}
	if st, body := apiStatus(t, env, tok.AccessToken); st != 200 {
		t.Errorf("the owner's token after another client presented its code: %d %s", st, body)
	}
}

// TestPKCESyntax: RFC 7636 §4.1 and §4.2, code_verifier and code_challenge
// are 43 to 128 characters of A-Z a-z 0-9 - . _ ~.
func TestPKCESyntax(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	c, conf := webClient(t, env, "PKCE app")
	ok43 := strings.Repeat("a", 40) + "-._~"[:3]
	ok128 := strings.Repeat("Z9~", 42) + "ab"
	bad := map[string]string{
		"42 characters":  strings.Repeat("a", 42),
		"129 characters": strings.Repeat("a", 129),
		"a plus sign":    strings.Repeat("a", 42) + "+",
		"padding":        strings.Repeat("a", 43) + "=",
		"a space":        strings.Repeat("a", 21) + " " + strings.Repeat("a", 21),
	}
	grant := func(challenge string) (string, error) {
		return env.Svc.CreateGrant(ctx, env.Admin, service.GrantRequest{Client: c, UserID: env.Org.PrimaryUserID, Scopes: "ZohoCRM.org.ALL",
			RedirectURI: conf.RedirectURL, CodeChallenge: challenge, CodeChallengeMethod: "plain"})
	}

	t.Run("challenge", func(t *testing.T) {
		for name, ch := range bad {
			if _, err := grant(ch); err == nil || err.(*crmguard.OAuthError).Code != crmguard.OAuthInvalidRequest {
				t.Errorf("challenge with %s: %v, want invalid_request", name, err)
			}
		}
		for _, ch := range []string{ok43, ok128} {
			if _, err := grant(ch); err != nil {
				t.Errorf("challenge of %d characters: %v", len(ch), err)
			}
		}
	})

	t.Run("verifier", func(t *testing.T) {
		for name, v := range bad {
			// A plain challenge can only be well formed, so the verifier
			// is checked for itself, before the code is spent.
			code, err := grant(ok43)
			if err != nil {
				t.Fatal(err)
			}
			_, err = conf.Exchange(ctx, code, oauth2.VerifierOption(v))
			if err == nil || !strings.Contains(err.Error(), `"invalid_request"`) {
				t.Errorf("verifier with %s: %v, want invalid_request", name, err)
			}
			if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(ok43)); err != nil {
				t.Errorf("the right verifier after a malformed one (%s): %v", name, err)
			}
		}
		code, err := grant(ok128)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(ok128)); err != nil {
			t.Errorf("128-character verifier: %v", err)
		}
		// A well-formed but wrong verifier is still invalid_code.
		code, err = grant(ok43)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(strings.Repeat("b", 43))); err == nil || !strings.Contains(err.Error(), `"invalid_code"`) {
			t.Errorf("wrong verifier: %v, want invalid_code", err)
		}
	})
}
