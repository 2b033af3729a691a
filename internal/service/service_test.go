package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

func oauthCode(err error) string {
	var oe *crmguard.OAuthError
	if errors.As(err, &oe) {
		return oe.Code
	}
	return ""
}

func TestChangesAreAuditedWithBeforeAndAfter(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	a := env.Admin
	a.ClientIP = "192.0.2.7"
	r, err := env.Svc.AddIPRule(ctx, a, service.IPRuleInput{Range: "198.51.100.0/24", AppliesTo: crmguard.IPRuleProfile, Target: "Standard"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Svc.RemoveIPRule(ctx, a, r.ID); err != nil {
		t.Fatal(err)
	}
	tok, err := env.Svc.IssueTokens(ctx, a, env.Org.PrimaryUserID, "ZohoCRM.users.READ", true)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	// Newest first: access token, refresh token, rule removed, rule added.
	want := []string{"token.issue", "token.issue", "iprule.remove", "iprule.add"}
	for i, w := range want {
		e := evs[i]
		if e.Action != w || e.Source != crmguard.SourceCLI || e.ClientIP != "192.0.2.7" || e.ActorID != env.Org.PrimaryUserID {
			t.Errorf("event %d = %+v, want action %s from the CLI actor", i, e, w)
		}
	}
	if evs[3].Before != nil || !strings.Contains(string(evs[3].After), `"range":"198.51.100.0/24"`) || evs[3].TargetID != r.ID {
		t.Errorf("iprule.add before/after: %s / %s", evs[3].Before, evs[3].After)
	}
	if evs[2].After != nil || !strings.Contains(string(evs[2].Before), `"applies_to":"profile"`) {
		t.Errorf("iprule.remove before/after: %s / %s", evs[2].Before, evs[2].After)
	}
	for _, e := range evs {
		for _, secret := range []string{tok.AccessToken, tok.RefreshToken, env.Boot.ClientSecret, env.Boot.AdminPassword} {
			if strings.Contains(string(e.Before)+string(e.After), secret) {
				t.Errorf("audit event %s holds a secret", e.Action)
			}
		}
	}
}

func TestRejectedChangesChangeNothing(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	before, _ := env.Store.LastAuditSeq(ctx)
	for _, in := range []service.IPRuleInput{
		{Range: "300.1.1.1", AppliesTo: crmguard.IPRuleAll},
		{Range: "10.0.0.0/8", AppliesTo: "team"},
		{Range: "10.0.0.0/8", AppliesTo: crmguard.IPRuleUser, Target: "ghost@example.com"},
		{Range: "10.0.0.0/8", AppliesTo: crmguard.IPRuleAll, Target: "CEO"},
	} {
		_, err := env.Svc.AddIPRule(ctx, env.Admin, in)
		if ze, ok := crmguard.AsError(err); !ok || ze.Code != crmguard.CodeInvalidData {
			t.Errorf("AddIPRule(%+v) = %v, want INVALID_DATA", in, err)
		}
	}
	if rules, _ := env.Store.ListIPRules(ctx, env.Org.ID); len(rules) != 0 {
		t.Errorf("%d rules after rejected adds", len(rules))
	}
	if after, _ := env.Store.LastAuditSeq(ctx); after != before {
		t.Errorf("rejected changes were audited: seq %d → %d", before, after)
	}
}

func TestTokenLimits(t *testing.T) {
	env := testenv.New(t, testenv.Options{Service: service.Config{MaxRefreshPerUser: 2, MaxAccessPerRefresh: 2, AccessPerWindow: 4, GrantsPerWindow: 3}})
	ctx := context.Background()
	c, secret := env.Boot.SelfClient, env.Boot.ClientSecret
	admin := env.Org.PrimaryUserID

	// Refresh tokens per user per client: the third evicts the first.
	var rts []string
	for i := 0; i < 3; i++ {
		tk, err := env.Svc.IssueTokens(ctx, env.Admin, admin, "ZohoCRM.users.ALL", true)
		if err != nil {
			t.Fatal(err)
		}
		rts = append(rts, tk.RefreshToken)
	}
	if _, err := env.Svc.Refresh(ctx, env.Admin, c.ClientID, secret, rts[0]); oauthCode(err) != crmguard.OAuthInvalidCode {
		t.Errorf("evicted refresh token: %v, want invalid_code", err)
	}

	// Live access tokens per refresh token: the oldest is invalidated.
	var ats []string
	for i := 0; i < 3; i++ {
		tk, err := env.Svc.Refresh(ctx, env.Admin, c.ClientID, secret, rts[2])
		if err != nil {
			t.Fatal(err)
		}
		ats = append(ats, tk.AccessToken)
		env.Clock.Advance(time.Second)
	}
	live := 0
	for _, at := range ats {
		if _, err := env.Svc.Principal(ctx, service.HashToken(at)); err == nil {
			live++
		}
	}
	// rts[2] was issued with one access token; three refreshes later only
	// the newest two of the four are live.
	if live != 2 {
		t.Errorf("%d of the refreshed access tokens live, want 2", live)
	}
	if _, err := env.Svc.Principal(ctx, service.HashToken(ats[0])); err == nil {
		t.Error("the oldest access token should be invalidated")
	}

	// Access tokens per refresh token per window: the fifth is refused.
	if _, err := env.Svc.Refresh(ctx, env.Admin, c.ClientID, secret, rts[2]); oauthCode(err) != crmguard.OAuthAccessDenied {
		t.Errorf("refresh over the window limit: %v, want access_denied", err)
	}
	env.Clock.Advance(11 * time.Minute)
	if _, err := env.Svc.Refresh(ctx, env.Admin, c.ClientID, secret, rts[2]); err != nil {
		t.Errorf("refresh after the window: %v", err)
	}

	// Grant codes per client per window.
	for i := 0; i < 4; i++ {
		_, err := env.Svc.CreateGrant(ctx, env.Admin, service.GrantRequest{Client: c, UserID: admin, Scopes: "ZohoCRM.users.ALL"})
		if i < 3 && err != nil {
			t.Fatal(err)
		}
		if i == 3 && oauthCode(err) != crmguard.OAuthAccessDenied {
			t.Errorf("fourth grant code: %v, want access_denied", err)
		}
	}
}

func TestSecretsAreStoredOnlyAsHashes(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	c, err := env.Store.GetClient(ctx, env.Boot.SelfClient.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	h := service.HashToken(env.Boot.ClientSecret)
	if string(c.SecretHash) != string(h[:]) {
		t.Error("client secret is not stored as its SHA-256")
	}
	u := env.User(t, "")
	if u.PasswordHash == "" || strings.Contains(u.PasswordHash, env.Boot.AdminPassword) || !strings.HasPrefix(u.PasswordHash, "$2") {
		t.Errorf("admin password stored as %q, want a bcrypt hash", u.PasswordHash)
	}
	tk, err := env.Svc.IssueTokens(ctx, env.Admin, u.ID, "ZohoCRM.org.READ", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.GetAccessToken(ctx, []byte(tk.AccessToken)); !errors.Is(err, crmguard.ErrNotFound) {
		t.Error("an access token can be found by its plain value")
	}
	ah := service.HashToken(tk.AccessToken)
	if _, err := env.Store.GetAccessToken(ctx, ah[:]); err != nil {
		t.Errorf("access token not found by hash: %v", err)
	}
	// A wrong password and an unknown user fail alike.
	_, err1 := env.Svc.Authenticate(ctx, env.Org.ID, u.Email, "wrong")
	_, err2 := env.Svc.Authenticate(ctx, env.Org.ID, "nobody@example.com", "wrong")
	if !errors.Is(err1, service.ErrBadCredentials) || !errors.Is(err2, service.ErrBadCredentials) {
		t.Errorf("bad credentials: %v / %v", err1, err2)
	}
	if _, err := env.Svc.Authenticate(ctx, env.Org.ID, strings.ToUpper(u.Email), env.Boot.AdminPassword); err != nil {
		t.Errorf("the one-time password does not sign in: %v", err)
	}
}
