package cluster_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

const codeScopes = "ZohoCRM.users.READ"

// selfCode makes an offline Self Client code for the admin through env,
// one of the two instances (the console and the CLI make them this way).
func (c *cluster) selfCode(env *testenv.Env) (string, error) {
	return env.Svc.CreateGrant(c.ctx, c.a.Admin, service.GrantRequest{Client: c.a.Boot.SelfClient, UserID: c.a.Org.PrimaryUserID,
		Scopes: codeScopes, Offline: true})
}

// exchange trades a code at env's token endpoint.
func (c *cluster) exchange(env *testenv.Env, code string) tokenAnswer {
	return parseToken(postForm(env, "/oauth/v2/token", url.Values{"grant_type": {"authorization_code"},
		"client_id": {c.a.Boot.SelfClient.ClientID}, "client_secret": {c.a.Boot.ClientSecret}, "code": {code}}))
}

// refresh mints an access token from a refresh token at env.
func (c *cluster) refresh(env *testenv.Env, rt string) tokenAnswer {
	return parseToken(postForm(env, "/oauth/v2/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {c.a.Boot.SelfClient.ClientID}, "client_secret": {c.a.Boot.ClientSecret}, "refresh_token": {rt}}))
}

// count sorts token answers into successes and errors by code.
func count(ans []tokenAnswer) (ok int, errs map[string]int) {
	errs = map[string]int{}
	for _, a := range ans {
		if a.AccessToken != "" && a.Error == "" {
			ok++
		} else {
			errs[a.Error]++
		}
	}
	return ok, errs
}

// TestGrantCodesPerWindowAcrossInstances: 40 Self Client codes asked for
// at once, half through each instance, with 10 allowed per client per
// window: exactly 10 are made, in the answers and in the database. The
// codes are asked of each instance's service, as its console and CLI do
// (the console's form needs a signed-in session; the rule is the
// service's).
func TestGrantCodesPerWindowAcrossInstances(t *testing.T) {
	const limit = 10
	c := newCluster(t, service.Config{GrantsPerWindow: limit})
	const n = 40
	errs := make([]error, n)
	together(n, func(i int) { _, errs[i] = c.selfCode(c.on(i)) })
	made, refused := 0, 0
	for _, err := range errs {
		if err == nil {
			made++
		} else if oe := (*crmguard.OAuthError)(nil); errors.As(err, &oe) && oe.Code == crmguard.OAuthAccessDenied {
			refused++
		} else {
			t.Errorf("unexpected error: %v", err)
		}
	}
	if made != limit || refused != n-limit {
		t.Errorf("%d codes made, %d refused; want %d and %d", made, refused, limit, n-limit)
	}
	stored, err := c.a.Store.CountGrantsSince(c.ctx, c.a.Boot.SelfClient.ClientID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if stored != limit {
		t.Errorf("database: %d grants for the client, want %d", stored, limit)
	}
}

// TestAccessTokensPerWindowAcrossInstances: 30 refreshes of one refresh
// token at once across both instances, with 10 access tokens allowed per
// refresh token per window (the exchange minted the first): exactly 9
// succeed, and the database holds 10 access tokens for it.
func TestAccessTokensPerWindowAcrossInstances(t *testing.T) {
	const limit = 10
	c := newCluster(t, service.Config{AccessPerWindow: limit})
	rt, rtID := c.refreshToken(t)
	const n = 30
	ans := make([]tokenAnswer, n)
	together(n, func(i int) { ans[i] = c.refresh(c.on(i), rt) })
	ok, errs := count(ans)
	if ok != limit-1 || errs[crmguard.OAuthAccessDenied] != n-ok {
		t.Errorf("%d refreshes succeeded, want %d; errors %v", ok, limit-1, errs)
	}
	stored, err := c.a.Store.CountAccessTokensSince(c.ctx, rtID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if stored != limit {
		t.Errorf("database: %d access tokens of the refresh token, want %d", stored, limit)
	}
}

// TestLiveAccessTokensPerRefreshAcrossInstances: with a window that allows
// them all but at most 5 live access tokens per refresh token, 30
// concurrent refreshes across both instances all succeed and leave exactly
// 5 live.
func TestLiveAccessTokensPerRefreshAcrossInstances(t *testing.T) {
	const live = 5
	c := newCluster(t, service.Config{AccessPerWindow: 1000, MaxAccessPerRefresh: live})
	rt, rtID := c.refreshToken(t)
	const n = 30
	ans := make([]tokenAnswer, n)
	together(n, func(i int) { ans[i] = c.refresh(c.on(i), rt) })
	if ok, errs := count(ans); ok != n {
		t.Errorf("%d refreshes succeeded, want all %d; errors %v", ok, n, errs)
	}
	got, err := c.a.Store.ListLiveAccessTokens(c.ctx, rtID, c.a.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != live {
		t.Errorf("database: %d live access tokens of the refresh token, want %d", len(got), live)
	}
	all, err := c.a.Store.CountAccessTokensSince(c.ctx, rtID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if all != n+1 {
		t.Errorf("database: %d access tokens minted in all, want %d", all, n+1)
	}
}

// TestLiveRefreshTokensPerUserAcrossInstances: 30 codes exchanged at once
// across both instances, with at most 5 live refresh tokens per user and
// client: every exchange succeeds, and exactly 5 refresh tokens stay live.
func TestLiveRefreshTokensPerUserAcrossInstances(t *testing.T) {
	const live, n = 5, 30
	c := newCluster(t, service.Config{GrantsPerWindow: 1000, MaxRefreshPerUser: live})
	codes := make([]string, n)
	for i := range codes {
		var err error
		if codes[i], err = c.selfCode(c.a); err != nil {
			t.Fatal(err)
		}
	}
	ans := make([]tokenAnswer, n)
	together(n, func(i int) { ans[i] = c.exchange(c.on(i), codes[i]) })
	if ok, errs := count(ans); ok != n {
		t.Errorf("%d exchanges succeeded, want all %d; errors %v", ok, n, errs)
	}
	got, err := c.a.Store.ListLiveRefreshTokens(c.ctx, c.a.Org.ID, c.a.Boot.SelfClient.ClientID, c.a.Org.PrimaryUserID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != live {
		t.Errorf("database: %d live refresh tokens of the admin for the Self Client, want %d", len(got), live)
	}
}

// TestSingleUseCodeAcrossInstances: one code exchanged 20 times at once,
// across both instances, is exchanged once.
func TestSingleUseCodeAcrossInstances(t *testing.T) {
	c := newCluster(t, service.Config{})
	for round := range 5 {
		code, err := c.selfCode(c.a)
		if err != nil {
			t.Fatal(err)
		}
		const n = 20
		ans := make([]tokenAnswer, n)
		together(n, func(i int) { ans[i] = c.exchange(c.on(i), code) })
		ok, errs := count(ans)
		if ok != 1 || errs[crmguard.OAuthInvalidCode] != n-1 {
			t.Fatalf("round %d: %d exchanges succeeded, want exactly 1; errors %v", round, ok, errs)
		}
		var won tokenAnswer
		for _, a := range ans {
			if a.AccessToken != "" {
				won = a
			}
		}
		h := service.HashToken(code)
		g, err := c.a.Store.GetGrant(c.ctx, h[:])
		if err != nil {
			t.Fatal(err)
		}
		if g.UsedAt == nil {
			t.Errorf("round %d: the grant is not marked used", round)
		}
		rh, ah := service.HashToken(won.RefreshToken), service.HashToken(won.AccessToken)
		rt, err := c.a.Store.GetRefreshToken(c.ctx, rh[:])
		if err != nil {
			t.Fatalf("round %d: the refresh token answered is not stored: %v", round, err)
		}
		at, err := c.a.Store.GetAccessToken(c.ctx, ah[:])
		if err != nil {
			t.Fatalf("round %d: the access token answered is not stored: %v", round, err)
		}
		if rt.GrantID != g.ID || at.GrantID != g.ID {
			t.Errorf("round %d: tokens of grants %d/%d, want %d", round, rt.GrantID, at.GrantID, g.ID)
		}
		// The replays revoked what the one exchange minted (RFC 6749
		// §4.1.2), and nothing else was minted from the code: revoking
		// its tokens again finds none live.
		if r, a, err := c.a.Store.RevokeGrantTokens(c.ctx, g.ID, c.a.Clock.Now()); err != nil || r != 0 || a != 0 {
			t.Errorf("round %d: tokens of the code still live after its replays: %d refresh, %d access (%v)", round, r, a, err)
		}
	}
}

// refreshToken exchanges a fresh code at instance a and returns the
// refresh token and its ID.
func (c *cluster) refreshToken(t *testing.T) (string, crmguard.ID) {
	t.Helper()
	code, err := c.selfCode(c.a)
	if err != nil {
		t.Fatal(err)
	}
	ta := c.exchange(c.a, code)
	if ta.RefreshToken == "" {
		t.Fatalf("exchange: %+v", ta)
	}
	h := service.HashToken(ta.RefreshToken)
	rt, err := c.a.Store.GetRefreshToken(c.ctx, h[:])
	if err != nil {
		t.Fatal(err)
	}
	return ta.RefreshToken, rt.ID
}
