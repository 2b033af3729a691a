package storetest

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var refreshTests = []test{
	{"RoundTrip", testRefreshRoundTrip},
	{"ListLive", testRefreshListLive},
	{"Use", testRefreshUse},
	{"RevokeCascades", testRefreshRevoke},
	{"UseBesideRevoke", testRefreshUseVsRevoke},
}

func refreshID(rt *crmguard.RefreshToken) crmguard.ID { return rt.ID }

func accessID(at *crmguard.AccessToken) crmguard.ID { return at.ID }

func testRefreshRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	rt := f.addRefresh("r", "1000.X", f.user.ID, f.ids.New(), f.now)
	used, revoked := f.at(time.Minute), f.at(time.Hour)
	old := &crmguard.RefreshToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: hash("old"), ClientID: "1000.X", UserID: f.user.ID,
		Scopes: "ZohoCRM.users.READ", RevokedAt: &revoked, LastUsed: &used, CreatedTime: f.now}
	must(t, s.CreateRefreshToken(f.ctx, old), "CreateRefreshToken revoked")
	for _, want := range []*crmguard.RefreshToken{rt, old} {
		got, err := s.GetRefreshToken(f.ctx, want.TokenHash)
		must(t, err, "GetRefreshToken")
		same(t, "refresh token read back", got, want)
		got, err = s.GetRefreshTokenByID(f.ctx, f.org.ID, want.ID)
		must(t, err, "GetRefreshTokenByID")
		same(t, "refresh token read back by ID", got, want)
	}
	_, err := s.GetRefreshToken(f.ctx, hash("unknown"))
	wantErr(t, err, crmguard.ErrNotFound, "GetRefreshToken of an unknown hash")
	_, err = s.GetRefreshTokenByID(f.ctx, f.ids.New(), rt.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetRefreshTokenByID through another org")
	_, err = s.GetRefreshTokenByID(f.ctx, f.org.ID, f.ids.New())
	wantErr(t, err, crmguard.ErrNotFound, "GetRefreshTokenByID of an unknown ID")
	dup := *rt
	dup.ID = f.ids.New()
	wantErr(t, s.CreateRefreshToken(f.ctx, &dup), crmguard.ErrConflict, "CreateRefreshToken with a used hash")
}

func testRefreshListLive(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	bob := f.addUser(f.tenant, "bob@x.test")
	// Made newest first: the list is oldest first by creation time.
	third := f.addRefresh("3", "1000.X", f.user.ID, 0, f.at(2*time.Second))
	second := f.addRefresh("2", "1000.X", f.user.ID, 0, f.at(time.Second))
	first := f.addRefresh("1", "1000.X", f.user.ID, 0, f.now)
	revoked := f.addRefresh("revoked", "1000.X", f.user.ID, 0, f.now)
	must(t, s.RevokeRefreshToken(f.ctx, revoked.ID, f.now), "RevokeRefreshToken")
	f.addRefresh("other client", "1000.Y", f.user.ID, 0, f.now)
	f.addRefresh("other user", "1000.X", bob.ID, 0, f.now)
	got, err := s.ListLiveRefreshTokens(f.ctx, f.org.ID, "1000.X", f.user.ID)
	must(t, err, "ListLiveRefreshTokens")
	same(t, "ListLiveRefreshTokens (oldest first)", idsOf(got, refreshID), []crmguard.ID{first.ID, second.ID, third.ID})
	same(t, "ListLiveRefreshTokens' tokens", got[0], first)
	if got, err := s.ListLiveRefreshTokens(f.ctx, f.ids.New(), "1000.X", f.user.ID); err != nil || len(got) != 0 {
		t.Errorf("ListLiveRefreshTokens through another org: %v, %v", idsOf(got, refreshID), err)
	}
}

// testRefreshUse: a refresh token is used again and again until revoked;
// each use records its time, and only a live token of the same client is
// used.
func testRefreshUse(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	grant := f.ids.New()
	rt := f.addRefresh("r", "1000.X", f.user.ID, grant, f.now)
	_, err := s.UseRefreshToken(f.ctx, rt.TokenHash, "1000.OTHER", f.at(time.Second))
	wantErr(t, err, crmguard.ErrNotFound, "UseRefreshToken by another client")
	_, err = s.UseRefreshToken(f.ctx, hash("unknown"), "1000.X", f.at(time.Second))
	wantErr(t, err, crmguard.ErrNotFound, "UseRefreshToken of an unknown hash")
	for i := 1; i <= 2; i++ {
		when := f.at(time.Duration(i) * time.Minute)
		got, err := s.UseRefreshToken(f.ctx, rt.TokenHash, "1000.X", when)
		must(t, err, "UseRefreshToken")
		want := *rt
		want.LastUsed = &when
		same(t, "token UseRefreshToken returns", got, &want)
		stored, err := s.GetRefreshToken(f.ctx, rt.TokenHash)
		must(t, err, "GetRefreshToken")
		same(t, "token after UseRefreshToken", stored, &want)
	}
	touched := f.at(time.Hour)
	must(t, s.TouchRefreshToken(f.ctx, rt.ID, touched), "TouchRefreshToken")
	if got, err := s.GetRefreshToken(f.ctx, rt.TokenHash); err != nil || got.LastUsed == nil || !got.LastUsed.Equal(touched) {
		t.Errorf("token after TouchRefreshToken: %+v, %v; want last used %v", got, err, touched)
	}
	must(t, s.RevokeRefreshToken(f.ctx, rt.ID, touched), "RevokeRefreshToken")
	_, err = s.UseRefreshToken(f.ctx, rt.TokenHash, "1000.X", f.at(2*time.Hour))
	wantErr(t, err, crmguard.ErrNotFound, "UseRefreshToken of a revoked token")
	if got, err := s.GetRefreshToken(f.ctx, rt.TokenHash); err != nil || got.LastUsed == nil || !got.LastUsed.Equal(touched) {
		t.Errorf("a refused use changed the token: %+v, %v", got, err)
	}
}

// testRefreshRevoke: revoking a refresh token revokes every access token
// minted from it, at the time given, and nothing else.
func testRefreshRevoke(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	rt := f.addRefresh("r", "1000.X", f.user.ID, 0, f.now)
	keep := f.addRefresh("keep", "1000.X", f.user.ID, 0, f.now)
	a1 := f.addAccess("a1", rt, "1000.X", f.user.ID, 0, f.now)
	a2 := f.addAccess("a2", rt, "1000.X", f.user.ID, 0, f.at(time.Second))
	k := f.addAccess("k", keep, "1000.X", f.user.ID, 0, f.now)
	online := f.addAccess("online", nil, "1000.X", f.user.ID, 0, f.now)
	when := f.at(time.Minute)
	must(t, s.RevokeRefreshToken(f.ctx, rt.ID, when), "RevokeRefreshToken")
	wantRefresh(t, f, s, rt.TokenHash, when, "revoked refresh token")
	for _, at := range []*crmguard.AccessToken{a1, a2} {
		wantAccess(t, f, s, at.TokenHash, when, "access token of a revoked refresh token")
	}
	for _, at := range []*crmguard.AccessToken{k, online} {
		wantAccess(t, f, s, at.TokenHash, time.Time{}, "an unrelated access token")
	}
	wantRefresh(t, f, s, keep.TokenHash, time.Time{}, "another refresh token")
	if live, err := s.ListLiveAccessTokens(f.ctx, rt.ID, f.now); err != nil || len(live) != 0 {
		t.Errorf("live access tokens of a revoked refresh token: %v, %v", idsOf(live, accessID), err)
	}
	wantErr(t, s.RevokeRefreshToken(f.ctx, rt.ID, f.at(time.Hour)), crmguard.ErrNotFound, "second RevokeRefreshToken")
	wantRefresh(t, f, s, rt.TokenHash, when, "a second revocation moved the revocation time")
	wantErr(t, s.RevokeRefreshToken(f.ctx, f.ids.New(), when), crmguard.ErrNotFound, "RevokeRefreshToken of an unknown ID")
}

var accessTests = []test{
	{"RoundTrip", testAccessRoundTrip},
	{"ListLiveAndCount", testAccessListLive},
	{"Revoke", testAccessRevoke},
}

func testAccessRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	rt := f.addRefresh("r", "1000.X", f.user.ID, 0, f.now)
	at := f.addAccess("a", rt, "1000.X", f.user.ID, f.ids.New(), f.now)
	revoked := f.at(time.Minute)
	old := &crmguard.AccessToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: hash("old"), ClientID: "1000.Y", UserID: f.user.ID,
		Scopes: "ZohoCRM.org.ALL", ExpiresAt: f.at(time.Hour), RevokedAt: &revoked, CreatedTime: f.now}
	must(t, s.CreateAccessToken(f.ctx, old), "CreateAccessToken revoked, without a refresh token")
	for _, want := range []*crmguard.AccessToken{at, old} {
		got, err := s.GetAccessToken(f.ctx, want.TokenHash)
		must(t, err, "GetAccessToken")
		same(t, "access token read back", got, want)
		got, err = s.GetAccessTokenByID(f.ctx, f.org.ID, want.ID)
		must(t, err, "GetAccessTokenByID")
		same(t, "access token read back by ID", got, want)
	}
	_, err := s.GetAccessToken(f.ctx, hash("unknown"))
	wantErr(t, err, crmguard.ErrNotFound, "GetAccessToken of an unknown hash")
	_, err = s.GetAccessTokenByID(f.ctx, f.ids.New(), at.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetAccessTokenByID through another org")
	_, err = s.GetAccessTokenByID(f.ctx, f.org.ID, f.ids.New())
	wantErr(t, err, crmguard.ErrNotFound, "GetAccessTokenByID of an unknown ID")
	dup := *at
	dup.ID = f.ids.New()
	wantErr(t, s.CreateAccessToken(f.ctx, &dup), crmguard.ErrConflict, "CreateAccessToken with a used hash")
}

func testAccessListLive(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	rt := f.addRefresh("r", "1000.X", f.user.ID, 0, f.now)
	other := f.addRefresh("other", "1000.X", f.user.ID, 0, f.now)
	// Made newest first; each lives an hour from its creation.
	a3 := f.addAccess("a3", rt, "1000.X", f.user.ID, 0, f.at(20*time.Minute))
	a2 := f.addAccess("a2", rt, "1000.X", f.user.ID, 0, f.at(10*time.Minute))
	a1 := f.addAccess("a1", rt, "1000.X", f.user.ID, 0, f.now)
	f.addAccess("expired", rt, "1000.X", f.user.ID, 0, f.at(-2*time.Hour))
	gone := f.addAccess("revoked", rt, "1000.X", f.user.ID, 0, f.at(5*time.Minute))
	must(t, s.RevokeAccessToken(f.ctx, gone.ID, f.now), "RevokeAccessToken")
	f.addAccess("of another", other, "1000.X", f.user.ID, 0, f.now)

	live, err := s.ListLiveAccessTokens(f.ctx, rt.ID, f.at(time.Minute))
	must(t, err, "ListLiveAccessTokens")
	same(t, "ListLiveAccessTokens (oldest first)", idsOf(live, accessID), []crmguard.ID{a1.ID, a2.ID, a3.ID})
	same(t, "ListLiveAccessTokens' tokens", live[2], a3)
	// At the instant a1 expires, it is no longer live.
	live, err = s.ListLiveAccessTokens(f.ctx, rt.ID, a1.ExpiresAt)
	must(t, err, "ListLiveAccessTokens")
	same(t, "ListLiveAccessTokens when the first expires", idsOf(live, accessID), []crmguard.ID{a2.ID, a3.ID})

	for _, c := range []struct {
		since time.Time
		want  int
	}{
		{f.at(-3 * time.Hour), 5}, // revoked and expired ones were minted too
		{f.now, 4},
		{f.at(time.Minute), 3},
		{f.at(15 * time.Minute), 1},
		{f.at(time.Hour), 0},
	} {
		if n, err := s.CountAccessTokensSince(f.ctx, rt.ID, c.since); err != nil || n != c.want {
			t.Errorf("CountAccessTokensSince(%v) = %d, %v; want %d", c.since.Sub(f.now), n, err, c.want)
		}
	}
}

func testAccessRevoke(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	at := f.addAccess("a", nil, "1000.X", f.user.ID, 0, f.now)
	keep := f.addAccess("keep", nil, "1000.X", f.user.ID, 0, f.now)
	when := f.at(time.Minute)
	must(t, s.RevokeAccessToken(f.ctx, at.ID, when), "RevokeAccessToken")
	wantAccess(t, f, s, at.TokenHash, when, "revoked access token")
	wantAccess(t, f, s, keep.TokenHash, time.Time{}, "another access token")
	_ = s.RevokeAccessToken(f.ctx, at.ID, f.at(time.Hour)) // revoked already: an error or not, the time stays
	wantAccess(t, f, s, at.TokenHash, when, "a second revocation moved the revocation time")
	wantErr(t, s.RevokeAccessToken(f.ctx, f.ids.New(), when), crmguard.ErrNotFound, "RevokeAccessToken of an unknown ID")
}
