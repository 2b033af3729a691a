package crmguardtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/crmguard/crmguard/crmguardtest"
)

// call sends a request with a Zoho token and returns the status and the
// decoded JSON body (nil when empty).
func call(t *testing.T, srv *crmguardtest.Server, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, m
}

func emails(m map[string]any) []string {
	var out []string
	users, _ := m["users"].([]any)
	for _, u := range users {
		out = append(out, u.(map[string]any)["email"].(string))
	}
	return out
}

func TestStartServesAReadyOrg(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t)
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz = %d", resp.StatusCode)
	}
	status, body := call(t, srv, "GET", "/crm/v8/users?type=AllUsers", srv.Token, "")
	if status != http.StatusOK || fmt.Sprint(emails(body)) != "["+srv.AdminEmail+"]" {
		t.Fatalf("GET users = %d %v", status, body)
	}
	status, body = call(t, srv, "GET", "/crm/v8/org", srv.Token, "")
	org := body["org"].([]any)[0].(map[string]any)
	if status != http.StatusOK || org["id"] != srv.OrgID {
		t.Fatalf("GET org = %d, id %v, want %s", status, org["id"], srv.OrgID)
	}
	if srv.ClientID == "" || srv.ClientSecret == "" || srv.EmulatorKey == "" || srv.AdminPassword == "" {
		t.Fatalf("missing credentials: %+v", srv)
	}
}

// A token for another user carries exactly the scopes asked for, and API
// access follows the user's profile.
func TestTokenForAddUserAndAPIAccess(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t)
	id := srv.AddUser(t, "rep@example.com", "Standard", "Manager")
	tok := srv.TokenFor(t, "rep@example.com", "ZohoCRM.users.READ")

	// The Standard profile starts without API access, as a new Zoho org's.
	status, body := call(t, srv, "GET", "/crm/v8/users/"+id, tok, "")
	if status != http.StatusForbidden || body["code"] != "NO_PERMISSION" {
		t.Fatalf("before API access: %d %v", status, body)
	}
	srv.SetAPIAccess(t, "Standard", true)
	status, body = call(t, srv, "GET", "/crm/v8/users/"+id, tok, "")
	if status != http.StatusOK || fmt.Sprint(emails(body)) != "[rep@example.com]" {
		t.Fatalf("GET user = %d %v", status, body)
	}
	if status, body = call(t, srv, "GET", "/crm/v8/org", tok, ""); status != http.StatusUnauthorized || body["code"] != "OAUTH_SCOPE_MISMATCH" {
		t.Fatalf("GET org with users.READ = %d %v", status, body)
	}
	srv.SetAPIAccess(t, "Standard", false)
	if status, body = call(t, srv, "GET", "/crm/v8/users/"+id, tok, ""); status != http.StatusForbidden || body["code"] != "NO_PERMISSION" {
		t.Fatalf("API access off again: %d %v", status, body)
	}
	// The administrator's profile is another profile: unaffected.
	if status, _ = call(t, srv, "GET", "/crm/v8/users/"+id, srv.Token, ""); status != http.StatusOK {
		t.Fatalf("admin while Standard is off: %d", status)
	}
}

// A Self Client code works with golang.org/x/oauth2 as it does with Zoho:
// exchange, call, refresh.
func TestGrantCodeWithOAuth2(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t)
	conf := &oauth2.Config{
		ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: srv.URL + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	ctx := context.Background()
	tok, err := conf.Exchange(ctx, srv.GrantCode(t, "", "ZohoCRM.users.READ"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.Extra("api_domain") != srv.URL {
		t.Fatalf("token = %+v, api_domain %v", tok, tok.Extra("api_domain"))
	}
	if status, _ := call(t, srv, "GET", "/crm/v8/users", tok.AccessToken, ""); status != http.StatusOK {
		t.Fatalf("GET users with the exchanged token: %d", status)
	}
	fresh, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == tok.AccessToken {
		t.Fatal("refresh returned the same access token")
	}
	if status, _ := call(t, srv, "GET", "/crm/v8/users", fresh.AccessToken, ""); status != http.StatusOK {
		t.Fatalf("GET users with the refreshed token: %d", status)
	}
}

// Moving the clock past the token's hour expires it without sleeping.
func TestAdvanceExpiresTokens(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t)
	tok := srv.TokenFor(t, "", "ZohoCRM.users.READ")
	before := srv.Now()
	srv.Advance(t, 59*time.Minute)
	if status, _ := call(t, srv, "GET", "/crm/v8/users", tok, ""); status != http.StatusOK {
		t.Fatalf("after 59 minutes: %d", status)
	}
	srv.Advance(t, 2*time.Minute)
	if status, body := call(t, srv, "GET", "/crm/v8/users", tok, ""); status != http.StatusUnauthorized || body["code"] != "INVALID_TOKEN" {
		t.Fatalf("after 61 minutes: %d %v", status, body)
	}
	if d := srv.Now().Sub(before); d < 61*time.Minute || d > 62*time.Minute {
		t.Fatalf("clock moved %v", d)
	}
	srv.FreezeTime(t)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	srv.SetTime(t, at)
	if !srv.Now().Equal(at) {
		t.Fatalf("Now = %v after SetTime(%v) on a frozen clock", srv.Now(), at)
	}
}

// Reset goes back to the org as Start handed it over, Token included;
// snapshots go back to where they were taken.
func TestResetAndSnapshots(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t, crmguardtest.WithDemo())
	count := func() int {
		t.Helper()
		status, body := call(t, srv, "GET", "/crm/v8/users/actions/count?type=AllUsers", srv.Token, "")
		if status != http.StatusOK {
			t.Fatalf("count: %d %v", status, body)
		}
		return int(body["count"].(float64))
	}
	demo := count()
	if demo < 10 {
		t.Fatalf("demo org has %d users", demo)
	}
	srv.AddUser(t, "one@example.com", "Standard", "Manager")
	srv.Snapshot(t, "with-one")
	srv.AddUser(t, "two@example.com", "Standard", "Manager")
	if got := count(); got != demo+2 {
		t.Fatalf("after two adds: %d, want %d", got, demo+2)
	}
	srv.Restore(t, "with-one")
	if got := count(); got != demo+1 {
		t.Fatalf("after restore: %d, want %d", got, demo+1)
	}
	srv.Reset(t)
	if got := count(); got != demo {
		t.Fatalf("after reset: %d, want %d", got, demo)
	}
	// The snapshot outlives a reset.
	srv.Restore(t, "with-one")
	if got := count(); got != demo+1 {
		t.Fatalf("restore after reset: %d, want %d", got, demo+1)
	}
}

// The control API is on over HTTP with the key Start reports, and refuses
// a wrong key.
func TestEmulatorOverHTTP(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t)
	srv.AddUser(t, "gone@example.com", "Standard", "Manager")
	for key, want := range map[string]int{"": http.StatusUnauthorized, "wrong": http.StatusUnauthorized} {
		req, _ := http.NewRequest("POST", srv.URL+"/__emulator/reset", nil)
		req.Header.Set("X-Emulator-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("reset with key %q: %d", key, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", srv.URL+"/__emulator/reset", nil)
	req.Header.Set("X-Emulator-Key", srv.EmulatorKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset with the key: %d", resp.StatusCode)
	}
	if _, body := call(t, srv, "GET", "/crm/v8/users?type=AllUsers", srv.Token, ""); fmt.Sprint(emails(body)) != "["+srv.AdminEmail+"]" {
		t.Fatalf("after an HTTP reset: %v", emails(body))
	}
}

// Servers started side by side share nothing: each has its own org, port,
// database and clock.
func TestManyServersInParallel(t *testing.T) {
	t.Parallel()
	const n = 16
	var mu sync.Mutex
	urls := map[string]bool{}
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				srv := crmguardtest.Start(t)
				email := fmt.Sprintf("user%d@example.com", i)
				srv.AddUser(t, email, "Standard", "Manager")
				srv.Advance(t, time.Duration(i)*time.Minute) // each its own clock
				_, body := call(t, srv, "GET", "/crm/v8/users?type=AllUsers", srv.Token, "")
				got := emails(body)
				if len(got) != 2 || !strings.Contains(fmt.Sprint(got), email) {
					t.Errorf("server %d sees %v", i, got)
				}
				mu.Lock()
				urls[srv.URL] = true
				mu.Unlock()
			})
		}
	})
	if len(urls) != n {
		t.Errorf("%d distinct URLs for %d servers", len(urls), n)
	}
}

// Config reaches the server: a shorter token lifetime is what the token
// endpoint reports.
func TestWithConfig(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t, crmguardtest.WithConfig(crmguardtest.Config{
		AdminEmail: "owner@example.org", CompanyName: "Acme", AccessTokenTTL: 10 * time.Minute}))
	if srv.AdminEmail != "owner@example.org" {
		t.Fatalf("AdminEmail = %q", srv.AdminEmail)
	}
	conf := &oauth2.Config{ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: srv.URL + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams}}
	tok, err := conf.Exchange(context.Background(), srv.GrantCode(t, "", "ZohoCRM.org.READ"))
	if err != nil {
		t.Fatal(err)
	}
	if in := tok.Extra("expires_in"); in != float64(600) {
		t.Fatalf("expires_in = %v", in)
	}
	_, body := call(t, srv, "GET", "/crm/v8/org", tok.AccessToken, "")
	if org := body["org"].([]any)[0].(map[string]any); org["company_name"] != "Acme" {
		t.Fatalf("company_name = %v", org["company_name"])
	}
}
