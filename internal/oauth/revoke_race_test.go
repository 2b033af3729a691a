package oauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// Revocation is final: an access token minted by a refresh that raced a
// revocation must not outlive it. Each test runs many trials of goroutines
// racing real HTTP requests against one real SQLite file, then checks the
// store and the API for every token minted.

const (
	raceTrials    = 200
	raceRefreshes = 4 // concurrent refreshes per trial
	raceScopes    = "ZohoCRM.org.READ"
)

// refreshHTTP posts grant_type=refresh_token and returns the access token,
// or "" with the error code.
func refreshHTTP(env *testenv.Env, rt string) (string, string, error) {
	resp, err := env.Server.Client().PostForm(env.URL+"/oauth/v2/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {env.Boot.SelfClient.ClientID}, "client_secret": {env.Boot.ClientSecret}, "refresh_token": {rt}})
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", "", err
	}
	if out.AccessToken == "" && out.Error == "" {
		return "", "", fmt.Errorf("token endpoint: %d with neither token nor error", resp.StatusCode)
	}
	return out.AccessToken, out.Error, nil
}

// race runs raceRefreshes refreshes of rt and other() at once and returns
// the access tokens the refreshes got.
func race(t *testing.T, env *testenv.Env, rt string, other func() error) []string {
	t.Helper()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var minted []string
	for range raceRefreshes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			at, code, err := refreshHTTP(env, rt)
			if err != nil {
				t.Error(err)
				return
			}
			switch {
			case at != "":
				mu.Lock()
				minted = append(minted, at)
				mu.Unlock()
			case code != crmguard.OAuthInvalidCode && code != crmguard.OAuthAccessDenied:
				t.Errorf("refresh refused with %q, want invalid_code or access_denied", code)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		if err := other(); err != nil {
			t.Error(err)
		}
	}()
	close(start)
	wg.Wait()
	return minted
}

// issue mints a refresh token (and an access token from it) for a user.
func issue(t *testing.T, env *testenv.Env, user crmguard.ID) *service.Tokens {
	t.Helper()
	tk, err := env.Svc.IssueTokens(context.Background(), env.Admin, user, raceScopes, true)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// wantDead checks that every token gets 401 INVALID_TOKEN from the API.
func wantDead(t *testing.T, env *testenv.Env, what string, tokens []string) {
	t.Helper()
	for _, at := range tokens {
		resp := env.Do(t, "GET", "/crm/v8/org", at, "")
		if body := readBody(t, resp); resp.StatusCode != 401 || !strings.Contains(body, `"INVALID_TOKEN"`) {
			t.Errorf("%s: a token minted in the race answers %d %s, want 401 INVALID_TOKEN", what, resp.StatusCode, body)
		}
	}
}

// TestRefreshRacingRevokeLeavesNothingLive races refreshes of a refresh
// token against POST /oauth/v2/token/revoke of it.
func TestRefreshRacingRevokeLeavesNothingLive(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	admin := env.User(t, "")
	var all []string
	won := 0
	for trial := range raceTrials {
		tk := issue(t, env, admin.ID)
		minted := race(t, env, tk.RefreshToken, func() error {
			resp, err := env.Server.Client().PostForm(env.URL+"/oauth/v2/token/revoke", url.Values{"token": {tk.RefreshToken}})
			if err != nil {
				return err
			}
			if body := readBody(t, resp); resp.StatusCode != 200 {
				return fmt.Errorf("revoke: %d %s", resp.StatusCode, body)
			}
			return nil
		})
		won += len(minted)
		all = append(all, tk.AccessToken)
		all = append(all, minted...)
		h := service.HashToken(tk.RefreshToken)
		rt, err := env.Store.GetRefreshToken(ctx, h[:])
		if err != nil {
			t.Fatal(err)
		}
		if live, err := env.Store.ListLiveAccessTokens(ctx, rt.ID, env.Clock.Now()); err != nil || len(live) != 0 {
			t.Fatalf("trial %d: %d access tokens of a revoked refresh token are live (%v); %d refreshes won the race", trial, len(live), err, len(minted))
		}
	}
	wantDead(t, env, "refresh vs revoke", all)
	t.Logf("%d trials, %d refreshes minted a token before the revocation, all revoked", raceTrials, won)
}

// TestRefreshRacingRevokeAllLeavesNothingLive races refreshes against
// revoking every token of the user (the console's and CLI's "revoke all").
func TestRefreshRacingRevokeAllLeavesNothingLive(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	user := env.User(t, "patricia.boyle@example.com")
	var all []string
	for trial := range raceTrials {
		tk := issue(t, env, user.ID)
		minted := race(t, env, tk.RefreshToken, func() error {
			return env.Svc.RevokeUserTokens(ctx, env.Admin, user.ID)
		})
		all = append(all, tk.AccessToken)
		all = append(all, minted...)
		refresh, access, err := env.Store.ListTokens(ctx, env.Org.ID, user.ID, env.Clock.Now(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(refresh)+len(access) != 0 {
			t.Fatalf("trial %d: %d refresh and %d access tokens live after revoke-all", trial, len(refresh), len(access))
		}
	}
	wantDead(t, env, "refresh vs revoke-all", all)
}

// TestRefreshRacingDeactivationMintsNothingAfter races refreshes against
// PUT /crm/v8/users/{id} {"status":"inactive"}. Deactivation keeps the
// user's tokens (they answer INACTIVE_USER, and work again on
// reactivation), so the rule is that nothing is minted after it commits:
// no token.issue for the user follows the user.deactivate event.
func TestRefreshRacingDeactivationMintsNothingAfter(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	user := env.User(t, "patricia.boyle@example.com")
	adminTok := env.Token(t, "", "ZohoCRM.users.ALL")
	path := "/crm/v8/users/" + user.ID.String()
	setStatus := func(status string) error {
		req, err := http.NewRequest("PUT", env.URL+path, strings.NewReader(`{"users":[{"status":"`+status+`"}]}`))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Zoho-oauthtoken "+adminTok)
		resp, err := env.Server.Client().Do(req)
		if err != nil {
			return err
		}
		if body := readBody(t, resp); resp.StatusCode != 200 {
			return fmt.Errorf("PUT status %s: %d %s", status, resp.StatusCode, body)
		}
		return nil
	}
	for trial := range raceTrials {
		tk := issue(t, env, user.ID)
		since, err := env.Store.LastAuditSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		minted := race(t, env, tk.RefreshToken, func() error { return setStatus("inactive") })
		// The trial's events, oldest first: once the deactivation is
		// recorded, nothing may be minted for the user.
		events, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		deactivated := false
		for i := len(events) - 1; i >= 0; i-- {
			e := events[i]
			if e.Seq <= since {
				continue
			}
			var after struct {
				UserID json.RawMessage `json:"user_id"`
			}
			_ = json.Unmarshal(e.After, &after)
			switch {
			case e.Action == "user.deactivate" && e.TargetID == user.ID:
				deactivated = true
			case deactivated && e.Action == "token.issue" && strings.Trim(string(after.UserID), `"`) == user.ID.String():
				t.Fatalf("trial %d: %s %d was minted for the user after the deactivation committed (%d refreshes won)", trial, e.TargetType, e.TargetID, len(minted))
			}
		}
		if !deactivated {
			t.Fatalf("trial %d: no user.deactivate event", trial)
		}
		for _, at := range minted {
			resp := env.Do(t, "GET", "/crm/v8/org", at, "")
			if body := readBody(t, resp); resp.StatusCode != 403 || !strings.Contains(body, "INACTIVE_USER") {
				t.Fatalf("trial %d: a deactivated user's token answers %d %s", trial, resp.StatusCode, body)
			}
		}
		if _, code, err := refreshHTTP(env, tk.RefreshToken); err != nil || code != crmguard.OAuthAccessDenied {
			t.Fatalf("trial %d: refresh for a deactivated user: %q %v, want access_denied", trial, code, err)
		}
		if err := setStatus("active"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRefreshRacingDeletionLeavesNothingLive races refreshes against
// DELETE /crm/v8/users/{id}, which revokes the user's tokens in its own
// transaction: a refresh that checked the user before must not commit a
// live token after.
func TestRefreshRacingDeletionLeavesNothingLive(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	adminTok := env.Token(t, "", "ZohoCRM.users.ALL")
	var role, profile string
	roles, err := env.Svc.ListRoles(ctx, env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	role = roles[len(roles)-1].ID.String()
	profiles, err := env.Svc.ListProfiles(ctx, env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		if p.Name == crmguard.ProfileStandard {
			profile = p.ID.String()
		}
	}
	var all []string
	for trial := range raceTrials {
		email := fmt.Sprintf("race%d@example.com", trial)
		resp := env.Do(t, "POST", "/crm/v8/users", adminTok, fmt.Sprintf(`{"users":[{"last_name":"Race","email":"%s","role":"%s","profile":"%s"}]}`, email, role, profile))
		if body := readBody(t, resp); resp.StatusCode != 201 {
			t.Fatalf("add user: %d %s", resp.StatusCode, body)
		}
		user := env.User(t, email)
		tk := issue(t, env, user.ID)
		minted := race(t, env, tk.RefreshToken, func() error {
			req, err := http.NewRequest("DELETE", env.URL+"/crm/v8/users/"+user.ID.String(), nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Zoho-oauthtoken "+adminTok)
			resp, err := env.Server.Client().Do(req)
			if err != nil {
				return err
			}
			if body := readBody(t, resp); resp.StatusCode != 200 {
				return fmt.Errorf("delete: %d %s", resp.StatusCode, body)
			}
			return nil
		})
		all = append(all, tk.AccessToken)
		all = append(all, minted...)
		refresh, access, err := env.Store.ListTokens(ctx, env.Org.ID, user.ID, env.Clock.Now(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(refresh)+len(access) != 0 {
			t.Fatalf("trial %d: %d refresh and %d access tokens of a deleted user live (%d refreshes won)", trial, len(refresh), len(access), len(minted))
		}
	}
	wantDead(t, env, "refresh vs delete", all)
}
