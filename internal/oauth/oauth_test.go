package oauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
	"golang.org/x/oauth2"
)

var hidden = regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`)

// formFields scrapes the hidden fields of a page.
func formFields(t *testing.T, body string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range hidden.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	if len(v) == 0 {
		t.Fatalf("no hidden fields in:\n%s", body)
	}
	return v
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&amp;", "&", "&#43;", "+", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'")
	return r.Replace(s)
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

// browser signs in and consents, returning the redirect the client gets.
func browser(t *testing.T, env *testenv.Env, authURL, password string, accept bool) *url.URL {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), env.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(t, resp)
	if !strings.Contains(page, "Sign in to crmguard") {
		t.Fatalf("login page expected:\n%s", page)
	}
	f := formFields(t, page)
	f.Set("email", "admin@example.com")
	f.Set("password", password)
	resp, err = hc.PostForm(env.URL+"/oauth/v2/auth/login", f)
	if err != nil {
		t.Fatal(err)
	}
	page = readBody(t, resp)
	if !strings.Contains(page, "wants to access your crmguard account") {
		t.Fatalf("consent page expected (status %d):\n%s", resp.StatusCode, page)
	}
	f = formFields(t, page)
	f.Set("action", map[bool]string{true: "accept", false: "deny"}[accept])
	resp, err = hc.PostForm(env.URL+"/oauth/v2/auth/consent", f)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent answered %d, want a redirect", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestAuthorizationCodeFlowWithOAuth2Client drives the whole flow with
// golang.org/x/oauth2: authorization code with PKCE, API call, refresh,
// revoke.
func TestAuthorizationCodeFlowWithOAuth2Client(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	redirect := "http://127.0.0.1:9/cb"
	c, secret, err := env.Svc.CreateClient(ctx, env.Admin, "Test app", crmguard.ClientServer, []string{redirect})
	if err != nil {
		t.Fatal(err)
	}
	conf := &oauth2.Config{ClientID: c.ClientID, ClientSecret: secret, RedirectURL: redirect,
		Scopes:   []string{"ZohoCRM.org.ALL", "ZohoCRM.users.READ"},
		Endpoint: oauth2.Endpoint{AuthURL: env.URL + "/oauth/v2/auth", TokenURL: env.URL + "/oauth/v2/token"}}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("st-123", oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier))
	// The bootstrap password is one-time, which opens no session (see
	// signin_test.go): the admin chooses their own first.
	const password = "the admin's own password"
	if err := env.Svc.ChangePassword(ctx, env.Admin, env.Boot.AdminPassword, password); err != nil {
		t.Fatal(err)
	}
	loc := browser(t, env, authURL, password, true)
	if got := loc.Query().Get("state"); got != "st-123" {
		t.Errorf("state %q, want st-123", got)
	}
	if loc.Query().Get("accounts-server") != env.URL || loc.Query().Get("location") != "us" {
		t.Errorf("redirect lacks location/accounts-server: %s", loc)
	}
	code := loc.Query().Get("code")

	// The wrong PKCE verifier is refused, and burns the code.
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil || !strings.Contains(err.Error(), "invalid_code") {
		t.Fatalf("wrong verifier: %v, want invalid_code", err)
	}
	loc = browser(t, env, authURL, password, true)
	tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.Extra("api_domain") != env.URL || tok.TokenType != "Bearer" {
		t.Fatalf("token: %+v api_domain=%v", tok, tok.Extra("api_domain"))
	}
	if resp := env.Do(t, "GET", "/crm/v8/org", tok.AccessToken, ""); resp.StatusCode != 200 {
		t.Fatalf("API call with the new token: %s", readBody(t, resp))
	}

	// Refresh through the library's TokenSource with an expired token.
	expired := &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	fresh, err := conf.TokenSource(ctx, expired).Token()
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == tok.AccessToken {
		t.Fatal("refresh returned the same access token")
	}
	if resp := env.Do(t, "GET", "/crm/v8/org", fresh.AccessToken, ""); resp.StatusCode != 200 {
		t.Fatalf("API call with the refreshed token: %s", readBody(t, resp))
	}

	// Revoking the refresh token takes its access tokens with it.
	resp, err := http.PostForm(env.URL+"/oauth/v2/token/revoke", url.Values{"token": {tok.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 || body != `{"status":"success"}` {
		t.Fatalf("revoke: %d %s", resp.StatusCode, body)
	}
	for _, at := range []string{tok.AccessToken, fresh.AccessToken} {
		resp := env.Do(t, "GET", "/crm/v8/org", at, "")
		if body := readBody(t, resp); resp.StatusCode != 401 || !strings.Contains(body, "INVALID_TOKEN") {
			t.Errorf("access token after revoke: %d %s", resp.StatusCode, body)
		}
	}
	if _, err := conf.TokenSource(ctx, expired).Token(); err == nil || !strings.Contains(err.Error(), "invalid_code") {
		t.Errorf("refresh after revoke: %v, want invalid_code", err)
	}

	// Deny sends access_denied back with the state.
	loc = browser(t, env, authURL, password, false)
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-123" {
		t.Errorf("deny redirect: %s", loc)
	}
}

func TestLoginPage(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	c, _, err := env.Svc.CreateClient(context.Background(), env.Admin, "<script>alert(1)</script>", crmguard.ClientServer, []string{"http://127.0.0.1:9/cb"})
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"client_id": {c.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scope": {"ZohoCRM.org.READ"}}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.Get(env.URL + "/oauth/v2/auth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(t, resp)
	if strings.Contains(page, "<script>alert(1)</script>") || !strings.Contains(page, "&lt;script&gt;") {
		t.Errorf("client name not escaped:\n%s", page)
	}
	f := formFields(t, page)
	f.Set("email", "admin@example.com")
	f.Set("password", "wrong")
	resp, err = hc.PostForm(env.URL+"/oauth/v2/auth/login", f)
	if err != nil {
		t.Fatal(err)
	}
	page = readBody(t, resp)
	if resp.StatusCode != 401 || !strings.Contains(page, "not right") || hasCookie(resp, "crmguard_session") {
		t.Errorf("wrong password: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	// Requests that cannot be redirected are shown as pages.
	for name, v := range map[string]url.Values{
		"unknown client":        {"client_id": {"1000.NOPE"}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scope": {"ZohoCRM.org.READ"}},
		"unregistered redirect": {"client_id": {c.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://evil.example/cb"}, "scope": {"ZohoCRM.org.READ"}},
	} {
		resp := env.Do(t, "GET", "/oauth/v2/auth?"+v.Encode(), "", "")
		if body := readBody(t, resp); resp.StatusCode != 400 || !strings.Contains(body, "cannot go on") {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	// Others go back to the client with an error.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for want, v := range map[string]url.Values{
		"unsupported_response_type": {"client_id": {c.ClientID}, "response_type": {"token"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scope": {"ZohoCRM.org.READ"}, "state": {"s"}},
		"invalid_scope":             {"client_id": {c.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scope": {"ZohoCRM.bogus.ALL"}, "state": {"s"}},
	} {
		resp, err := noRedirect.Get(env.URL + "/oauth/v2/auth?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || loc != "http://127.0.0.1:9/cb?error="+want+"&state=s" {
			t.Errorf("%s: %d %s", want, resp.StatusCode, loc)
		}
	}
}

func hasCookie(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return true
		}
	}
	return false
}

func post(t *testing.T, env *testenv.Env, path string, form url.Values) *http.Response {
	t.Helper()
	resp, err := http.PostForm(env.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func selfCode(t *testing.T, env *testenv.Env) string {
	t.Helper()
	code, err := env.Svc.CreateGrant(context.Background(), env.Admin, service.GrantRequest{Client: env.Boot.SelfClient,
		UserID: env.Org.PrimaryUserID, Scopes: "ZohoCRM.users.ALL"})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestTokenEndpointGolden pins every token response and error, each
// triggered by a real request.
func TestTokenEndpointGolden(t *testing.T) {
	testenv.EachBackend(t, tokenEndpointGolden)
}

func tokenEndpointGolden(t *testing.T, b testenv.Backend) {
	env := testenv.New(t, testenv.Options{Backend: b, Service: service.Config{GrantsPerWindow: 5}})
	id, secret := env.Boot.SelfClient.ClientID, env.Boot.ClientSecret
	base := func(extra ...string) url.Values {
		v := url.Values{"client_id": {id}, "client_secret": {secret}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	used := selfCode(t, env)
	first := post(t, env, "/oauth/v2/token", base("grant_type", "authorization_code", "code", used))
	var tok map[string]any
	firstBody := testenv.Dump(t, first)
	_ = json.Unmarshal(bytes.SplitN(firstBody, []byte("\n\n"), 2)[1], &tok)
	testenv.Golden(t, "token/self_client_code", firstBody)

	expiring := selfCode(t, env)
	env.Clock.Advance(4 * time.Minute) // Self Client codes live 3 minutes
	rt := issueRefresh(t, env)

	cases := []struct {
		name string
		form url.Values
	}{
		{"refresh_token", base("grant_type", "refresh_token", "refresh_token", rt)},
		{"client_credentials", base("grant_type", "client_credentials", "scope", "ZohoCRM.org.READ", "soid", "ZohoCRM."+env.Org.ID.String())},
		{"invalid_code_unknown", base("grant_type", "authorization_code", "code", "1000.00000000000000000000000000000000.00000000000000000000000000000000")},
		{"invalid_code_reused", base("grant_type", "authorization_code", "code", used)},
		{"invalid_code_expired", base("grant_type", "authorization_code", "code", expiring)},
		{"invalid_code_refresh", base("grant_type", "refresh_token", "refresh_token", "1000.nope")},
		{"invalid_client", url.Values{"grant_type": {"refresh_token"}, "client_id": {"1000.NOPE"}, "client_secret": {secret}, "refresh_token": {rt}}},
		{"invalid_client_secret", url.Values{"grant_type": {"refresh_token"}, "client_id": {id}, "client_secret": {"wrong"}, "refresh_token": {rt}}},
		{"unsupported_grant_type", base("grant_type", "password")},
		{"missing_org_info", base("grant_type", "client_credentials", "scope", "ZohoCRM.org.READ")},
		{"invalid_scope", base("grant_type", "client_credentials", "scope", "ZohoCRM.nothing.ALL", "soid", "ZohoCRM."+env.Org.ID.String())},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testenv.GoldenResponse(t, "token/"+c.name, post(t, env, "/oauth/v2/token", c.form))
		})
	}
	t.Run("invalid_redirect_uri", func(t *testing.T) {
		c, sec, err := env.Svc.CreateClient(context.Background(), env.Admin, "web", crmguard.ClientServer, []string{"http://127.0.0.1:9/cb"})
		if err != nil {
			t.Fatal(err)
		}
		code, err := env.Svc.CreateGrant(context.Background(), env.Admin, service.GrantRequest{Client: c, UserID: env.Org.PrimaryUserID,
			Scopes: "ZohoCRM.org.READ", RedirectURI: "http://127.0.0.1:9/cb"})
		if err != nil {
			t.Fatal(err)
		}
		testenv.GoldenResponse(t, "token/invalid_redirect_uri", post(t, env, "/oauth/v2/token", url.Values{"grant_type": {"authorization_code"},
			"client_id": {c.ClientID}, "client_secret": {sec}, "code": {code}, "redirect_uri": {"http://127.0.0.1:9/other"}}))
	})
	t.Run("access_denied_grant_limit", func(t *testing.T) {
		var err error
		for i := 0; i < 5 && err == nil; i++ { // GrantsPerWindow is 5 here; 2 were made above
			_, err = env.Svc.CreateGrant(context.Background(), env.Admin, service.GrantRequest{Client: env.Boot.SelfClient,
				UserID: env.Org.PrimaryUserID, Scopes: "ZohoCRM.users.ALL"})
		}
		var oe *crmguard.OAuthError
		if !errorsAs(err, &oe) || oe.Code != crmguard.OAuthAccessDenied {
			t.Fatalf("grant over the limit: %v, want access_denied", err)
		}
	})
	t.Run("access_denied_inactive_user", func(t *testing.T) {
		rt := issueRefresh(t, env)
		u := env.User(t, "")
		u.Status = crmguard.UserDisabled
		if err := env.Store.UpdateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		defer func() {
			u.Status = crmguard.UserActive
			_ = env.Store.UpdateUser(context.Background(), u)
		}()
		testenv.GoldenResponse(t, "token/access_denied", post(t, env, "/oauth/v2/token", base("grant_type", "refresh_token", "refresh_token", rt)))
	})
}

func errorsAs(err error, target **crmguard.OAuthError) bool {
	oe, ok := err.(*crmguard.OAuthError)
	if ok {
		*target = oe
	}
	return ok
}

func issueRefresh(t *testing.T, env *testenv.Env) string {
	t.Helper()
	tk, err := env.Svc.IssueTokens(context.Background(), env.Admin, env.Org.PrimaryUserID, "ZohoCRM.users.ALL", true)
	if err != nil {
		t.Fatal(err)
	}
	return tk.RefreshToken
}

// TestParameterForms: query string, urlencoded, multipart and HTTP Basic.
func TestParameterForms(t *testing.T) {
	testenv.EachBackend(t, parameterForms)
}

func parameterForms(t *testing.T, b testenv.Backend) {
	env := testenv.New(t, testenv.Options{Backend: b})
	id, secret := env.Boot.SelfClient.ClientID, env.Boot.ClientSecret
	check := func(name string, req *http.Request) {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(body, `"access_token":"1000.`) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
	q := url.Values{"grant_type": {"refresh_token"}, "client_id": {id}, "client_secret": {secret}, "refresh_token": {issueRefresh(t, env)}}
	req, _ := http.NewRequest("POST", env.URL+"/oauth/v2/token?"+q.Encode(), nil)
	check("query string", req)

	q.Set("refresh_token", issueRefresh(t, env))
	req, _ = http.NewRequest("POST", env.URL+"/oauth/v2/token", strings.NewReader(q.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	check("urlencoded", req)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	q.Set("refresh_token", issueRefresh(t, env))
	for k := range q {
		_ = mw.WriteField(k, q.Get(k))
	}
	mw.Close()
	req, _ = http.NewRequest("POST", env.URL+"/oauth/v2/token", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	check("multipart", req)

	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {issueRefresh(t, env)}}
	req, _ = http.NewRequest("POST", env.URL+"/oauth/v2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	check("basic auth", req)

	// Revoking an unknown token is a 400.
	resp := post(t, env, "/oauth/v2/token/revoke", url.Values{"token": {"1000.nope"}})
	testenv.GoldenResponse(t, "revoke/invalid_token", resp)
}
