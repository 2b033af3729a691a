// Package user stands for a user's module: it drives crmguard with
// golang.org/x/oauth2 as an integration with Zoho CRM would.
package user

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/crmguard/crmguard/crmguardtest"
	"golang.org/x/oauth2"
)

// zohoTokens sends tokens as Zoho wants them: "Authorization:
// Zoho-oauthtoken ...", where golang.org/x/oauth2 would write the token
// type the token endpoint returned ("Bearer").
type zohoTokens struct{ oauth2.TokenSource }

func (z zohoTokens) Token() (*oauth2.Token, error) {
	t, err := z.TokenSource.Token()
	if err != nil {
		return nil, err
	}
	c := *t
	c.TokenType = "Zoho-oauthtoken"
	return &c, nil
}

func users(t *testing.T, c *http.Client, url string) (int, []string, string) {
	t.Helper()
	resp, err := c.Get(url + "/crm/v8/users?type=AllUsers")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Code  string `json:"code"`
		Users []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	var emails []string
	for _, u := range body.Users {
		emails = append(emails, u.Email)
	}
	return resp.StatusCode, emails, body.Code
}

// A Self Client code exchanged with x/oauth2, a GET /crm/v8/users with the
// token, the token expiring when the server's clock moves, and a refresh.
func TestSelfClientExchangeAndRefresh(t *testing.T) {
	srv := crmguardtest.Start(t)
	ctx := context.Background()
	conf := &oauth2.Config{
		ClientID:     srv.ClientID,
		ClientSecret: srv.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   srv.URL + "/oauth/v2/auth",
			TokenURL:  srv.URL + "/oauth/v2/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	tok, err := conf.Exchange(ctx, srv.GrantCode(t, "", "ZohoCRM.users.READ"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	if got := tok.Extra("api_domain"); got != srv.URL {
		t.Fatalf("api_domain = %v, want %s", got, srv.URL)
	}

	client := oauth2.NewClient(ctx, zohoTokens{oauth2.StaticTokenSource(tok)})
	status, emails, _ := users(t, client, srv.URL)
	if status != http.StatusOK || len(emails) != 1 || emails[0] != srv.AdminEmail {
		t.Fatalf("GET /crm/v8/users = %d %v", status, emails)
	}

	// Two hours later on the server's clock the access token is dead.
	srv.Advance(t, 2*time.Hour)
	if status, _, code := users(t, client, srv.URL); status != http.StatusUnauthorized || code != "INVALID_TOKEN" {
		t.Fatalf("after two hours: %d %s", status, code)
	}

	// The refresh token is not: x/oauth2 refreshes a token it holds as
	// expired, and the call works again.
	tok.Expiry = time.Now().Add(-time.Minute)
	client = oauth2.NewClient(ctx, zohoTokens{conf.TokenSource(ctx, tok)})
	if status, emails, code := users(t, client, srv.URL); status != http.StatusOK || len(emails) != 1 {
		t.Fatalf("after refresh: %d %v %s", status, emails, code)
	}
}
