package storetest

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var tokenListTests = []test{
	{"ListTokens", testListTokens},
	{"RevokeUserTokens", testRevokeUserTokens},
	{"RevokeGrantTokens", testRevokeGrantTokens},
}

// testListTokens: live tokens only, newest first, at most limit of each
// kind, of one user or of the whole org.
func testListTokens(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	bob := f.addUser(f.tenant, "bob@x.test")
	var annRT, bobRT []*crmguard.RefreshToken
	var annAT, bobAT []*crmguard.AccessToken
	for i := range 3 {
		at := f.at(time.Duration(i) * time.Minute)
		annRT = append(annRT, f.addRefresh("ann r"+string(rune('0'+i)), "1000.X", f.user.ID, 0, at))
		bobRT = append(bobRT, f.addRefresh("bob r"+string(rune('0'+i)), "1000.Y", bob.ID, 0, at.Add(30*time.Second)))
		annAT = append(annAT, f.addAccess("ann a"+string(rune('0'+i)), annRT[i], "1000.X", f.user.ID, 0, at))
		bobAT = append(bobAT, f.addAccess("bob a"+string(rune('0'+i)), nil, "1000.Y", bob.ID, 0, at.Add(30*time.Second)))
	}
	// Not live: revoked, or expired at the time asked.
	gone := f.addRefresh("gone", "1000.X", f.user.ID, 0, f.at(5*time.Minute))
	must(t, s.RevokeRefreshToken(f.ctx, gone.ID, f.now), "RevokeRefreshToken")
	goneAT := f.addAccess("gone a", nil, "1000.X", f.user.ID, 0, f.at(5*time.Minute))
	must(t, s.RevokeAccessToken(f.ctx, goneAT.ID, f.now), "RevokeAccessToken")
	f.addAccess("expired", nil, "1000.X", f.user.ID, 0, f.at(-2*time.Hour))
	other := f.addTenant("Other", "o@other.test")
	theirs := &crmguard.RefreshToken{ID: f.ids.New(), OrgID: other.org.ID, TokenHash: hash("theirs"), ClientID: "1000.Z",
		UserID: other.user.ID, Scopes: "s", CreatedTime: f.at(10 * time.Minute)}
	must(t, s.CreateRefreshToken(f.ctx, theirs), "CreateRefreshToken in another org")

	when := f.at(3 * time.Minute)
	rev := func(l []*crmguard.RefreshToken) []crmguard.ID {
		ids := idsOf(l, refreshID)
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
		return ids
	}
	revA := func(l []*crmguard.AccessToken) []crmguard.ID {
		ids := idsOf(l, accessID)
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
		return ids
	}
	rts, ats, err := s.ListTokens(f.ctx, f.org.ID, f.user.ID, when, 10)
	must(t, err, "ListTokens of a user")
	same(t, "ListTokens refresh tokens of a user (newest first)", idsOf(rts, refreshID), rev(annRT))
	same(t, "ListTokens access tokens of a user (newest first)", idsOf(ats, accessID), revA(annAT))
	if len(rts) == 3 && len(ats) == 3 {
		same(t, "a refresh token ListTokens gives", rts[0], annRT[2])
		same(t, "an access token ListTokens gives", ats[0], annAT[2])
	}

	rts, ats, err = s.ListTokens(f.ctx, f.org.ID, 0, when, 10)
	must(t, err, "ListTokens of the org")
	same(t, "ListTokens refresh tokens of the org (newest first)", idsOf(rts, refreshID),
		rev([]*crmguard.RefreshToken{annRT[0], bobRT[0], annRT[1], bobRT[1], annRT[2], bobRT[2]}))
	same(t, "ListTokens access tokens of the org (newest first)", idsOf(ats, accessID),
		revA([]*crmguard.AccessToken{annAT[0], bobAT[0], annAT[1], bobAT[1], annAT[2], bobAT[2]}))

	rts, ats, err = s.ListTokens(f.ctx, f.org.ID, 0, when, 2)
	must(t, err, "ListTokens with a limit")
	same(t, "ListTokens refresh tokens, limit 2", idsOf(rts, refreshID), []crmguard.ID{bobRT[2].ID, annRT[2].ID})
	same(t, "ListTokens access tokens, limit 2", idsOf(ats, accessID), []crmguard.ID{bobAT[2].ID, annAT[2].ID})

	// An hour after the first access token was made, it has expired.
	_, ats, err = s.ListTokens(f.ctx, f.org.ID, f.user.ID, f.at(time.Hour), 10)
	must(t, err, "ListTokens an hour later")
	same(t, "ListTokens access tokens an hour later", idsOf(ats, accessID), []crmguard.ID{annAT[2].ID, annAT[1].ID})
}

func testRevokeUserTokens(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	bob := f.addUser(f.tenant, "bob@x.test")
	annRT := f.addRefresh("ann r", "1000.X", f.user.ID, 0, f.now)
	annA1 := f.addAccess("ann a1", annRT, "1000.X", f.user.ID, 0, f.now)
	annA2 := f.addAccess("ann a2", nil, "1000.Y", f.user.ID, 0, f.now)
	bobRT := f.addRefresh("bob r", "1000.X", bob.ID, 0, f.now)
	bobAT := f.addAccess("bob a", bobRT, "1000.X", bob.ID, 0, f.now)
	when := f.at(time.Minute)
	other := f.addTenant("Other", "o@other.test")
	must(t, s.RevokeUserTokens(f.ctx, other.org.ID, f.user.ID, when), "RevokeUserTokens through another org")
	wantRefresh(t, f, s, annRT.TokenHash, time.Time{}, "RevokeUserTokens through another org revoked a token")
	must(t, s.RevokeUserTokens(f.ctx, f.org.ID, f.user.ID, when), "RevokeUserTokens")
	wantRefresh(t, f, s, annRT.TokenHash, when, "user's refresh token")
	for _, at := range []*crmguard.AccessToken{annA1, annA2} {
		wantAccess(t, f, s, at.TokenHash, when, "user's access token")
	}
	wantRefresh(t, f, s, bobRT.TokenHash, time.Time{}, "another user's refresh token")
	wantAccess(t, f, s, bobAT.TokenHash, time.Time{}, "another user's access token")
	rts, ats, err := s.ListTokens(f.ctx, f.org.ID, f.user.ID, f.now, 10)
	if err != nil || len(rts) != 0 || len(ats) != 0 {
		t.Errorf("ListTokens after RevokeUserTokens: %d refresh, %d access, %v", len(rts), len(ats), err)
	}
	must(t, s.RevokeUserTokens(f.ctx, f.org.ID, f.user.ID, f.at(time.Hour)), "RevokeUserTokens again")
	wantRefresh(t, f, s, annRT.TokenHash, when, "a second revocation moved the revocation time")
}

// testRevokeGrantTokens: the grant's refresh token and every access token
// carrying its ID are revoked, the counts are of the live ones, and other
// tokens stay live.
func testRevokeGrantTokens(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	g := f.newGrant("code", "1000.X", f.now)
	must(t, s.CreateGrant(f.ctx, g), "CreateGrant")
	_, err := s.UseGrant(f.ctx, g.CodeHash, f.now)
	must(t, err, "UseGrant")
	rt := f.addRefresh("r", "1000.X", f.user.ID, g.ID, f.now)
	plain := f.addRefresh("plain", "1000.X", f.user.ID, 0, f.now)
	a1 := f.addAccess("a1", rt, "1000.X", f.user.ID, g.ID, f.now)
	a2 := f.addAccess("a2", rt, "1000.X", f.user.ID, g.ID, f.at(time.Minute))
	online := f.addAccess("online", nil, "1000.X", f.user.ID, g.ID, f.now) // minted by the exchange itself
	dead := f.addAccess("revoked", rt, "1000.X", f.user.ID, g.ID, f.now)
	must(t, s.RevokeAccessToken(f.ctx, dead.ID, f.now), "RevokeAccessToken")
	f.addAccess("expired", rt, "1000.X", f.user.ID, g.ID, f.at(-2*time.Hour))
	keep := f.addAccess("keep", plain, "1000.X", f.user.ID, 0, f.now)

	when := f.at(2 * time.Minute)
	refresh, access, err := s.RevokeGrantTokens(f.ctx, g.ID, when)
	if err != nil || refresh != 1 || access != 3 {
		t.Errorf("RevokeGrantTokens = %d refresh, %d access, %v; want 1 and 3 (the live ones)", refresh, access, err)
	}
	wantRefresh(t, f, s, rt.TokenHash, when, "grant's refresh token")
	for _, at := range []*crmguard.AccessToken{a1, a2, online} {
		wantAccess(t, f, s, at.TokenHash, when, "grant's access token")
	}
	wantRefresh(t, f, s, plain.TokenHash, time.Time{}, "a refresh token of no grant")
	wantAccess(t, f, s, keep.TokenHash, time.Time{}, "an access token of no grant")
	if refresh, access, err := s.RevokeGrantTokens(f.ctx, g.ID, when); err != nil || refresh != 0 || access != 0 {
		t.Errorf("second RevokeGrantTokens = %d, %d, %v; want 0, 0", refresh, access, err)
	}
	if refresh, access, err := s.RevokeGrantTokens(f.ctx, f.ids.New(), when); err != nil || refresh != 0 || access != 0 {
		t.Errorf("RevokeGrantTokens of a grant with no tokens = %d, %d, %v; want 0, 0", refresh, access, err)
	}
}
