package storetest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var clientTests = []test{
	{"RoundTrip", testClientRoundTrip},
	{"UpdateSecret", testClientSecret},
	{"DeleteRevokesTokens", testClientDelete},
}

func clientRowID(c *crmguard.Client) crmguard.ID { return c.ID }

func testClientRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	c := f.addClient("1000.SERVER")
	self := &crmguard.Client{ID: f.ids.New(), OrgID: f.org.ID, ClientID: "1000.SELF", SecretHash: hash("s"), Name: "Self Client",
		Type: crmguard.ClientSelf, CreatedTime: f.at(time.Second)}
	must(t, s.CreateClient(f.ctx, self), "CreateClient without redirect URIs")
	multi := &crmguard.Client{ID: f.ids.New(), OrgID: f.org.ID, ClientID: "1000.MULTI", SecretHash: hash("m"), Name: "Multi",
		Type: crmguard.ClientServer, RedirectURIs: []string{"https://a.test/cb", "http://localhost:8080/cb?x=1&y=2", "com.app:/oauth"},
		CreatedBy: f.user.ID, CreatedTime: f.at(2 * time.Second)}
	must(t, s.CreateClient(f.ctx, multi), "CreateClient with three redirect URIs")
	for _, want := range []*crmguard.Client{c, self, multi} {
		got, err := s.GetClient(f.ctx, want.ClientID)
		must(t, err, "GetClient")
		same(t, "client "+want.ClientID+" read back", got, want)
	}
	_, err := s.GetClient(f.ctx, "1000.UNKNOWN")
	wantErr(t, err, crmguard.ErrNotFound, "GetClient of an unknown client_id")
	other := f.addTenant("Other", "o@other.test")
	theirs := &crmguard.Client{ID: f.ids.New(), OrgID: other.org.ID, ClientID: "1000.THEIRS", SecretHash: hash("t"), Name: "T",
		Type: crmguard.ClientSelf, CreatedTime: f.now}
	must(t, s.CreateClient(f.ctx, theirs), "CreateClient in another org")
	list, err := s.ListClients(f.ctx, f.org.ID)
	must(t, err, "ListClients")
	same(t, "ListClients", byID(list, clientRowID), []*crmguard.Client{c, self, multi})
	dup := *theirs
	dup.ID, dup.OrgID = f.ids.New(), f.org.ID
	wantErr(t, s.CreateClient(f.ctx, &dup), crmguard.ErrConflict, "CreateClient with another org's client_id")
}

func testClientSecret(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	c := f.addClient("1000.A")
	keep := f.addClient("1000.B")
	must(t, s.UpdateClientSecret(f.ctx, f.org.ID, c.ClientID, hash("new")), "UpdateClientSecret")
	if got, err := s.GetClient(f.ctx, c.ClientID); err != nil || !bytes.Equal(got.SecretHash, hash("new")) {
		t.Errorf("secret after UpdateClientSecret: %+v, %v", got, err)
	}
	if got, err := s.GetClient(f.ctx, keep.ClientID); err != nil || !bytes.Equal(got.SecretHash, keep.SecretHash) {
		t.Errorf("another client's secret changed: %+v, %v", got, err)
	}
	wantErr(t, s.UpdateClientSecret(f.ctx, f.org.ID, "1000.UNKNOWN", hash("x")), crmguard.ErrNotFound, "UpdateClientSecret of an unknown client")
	other := f.addTenant("Other", "o@other.test")
	wantErr(t, s.UpdateClientSecret(f.ctx, other.org.ID, c.ClientID, hash("x")), crmguard.ErrNotFound, "UpdateClientSecret through another org")
	if got, _ := s.GetClient(f.ctx, c.ClientID); got == nil || !bytes.Equal(got.SecretHash, hash("new")) {
		t.Error("UpdateClientSecret through another org changed the secret")
	}
}

// testClientDelete: the client goes, and every token it minted is revoked
// at the time given, in one call; another client's tokens stay live.
func testClientDelete(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	gone, kept := f.addClient("1000.GONE"), f.addClient("1000.KEPT")
	goneRT := f.addRefresh("r gone", gone.ClientID, f.user.ID, 0, f.now)
	goneAT := f.addAccess("a gone", goneRT, gone.ClientID, f.user.ID, 0, f.now)
	goneOnline := f.addAccess("a gone online", nil, gone.ClientID, f.user.ID, 0, f.now)
	keptRT := f.addRefresh("r kept", kept.ClientID, f.user.ID, 0, f.now)
	keptAT := f.addAccess("a kept", keptRT, kept.ClientID, f.user.ID, 0, f.now)
	other := f.addTenant("Other", "o@other.test")

	wantErr(t, s.DeleteClient(f.ctx, other.org.ID, gone.ClientID, f.now), crmguard.ErrNotFound, "DeleteClient through another org")
	if _, err := s.GetClient(f.ctx, gone.ClientID); err != nil {
		t.Fatalf("client after DeleteClient through another org: %v", err)
	}
	wantRefresh(t, f, s, goneRT.TokenHash, time.Time{}, "DeleteClient through another org revoked a token")
	when := f.at(time.Minute)
	must(t, s.DeleteClient(f.ctx, f.org.ID, gone.ClientID, when), "DeleteClient")
	_, err := s.GetClient(f.ctx, gone.ClientID)
	wantErr(t, err, crmguard.ErrNotFound, "GetClient after the delete")
	wantErr(t, s.DeleteClient(f.ctx, f.org.ID, gone.ClientID, when), crmguard.ErrNotFound, "second DeleteClient")
	for _, h := range [][]byte{goneAT.TokenHash, goneOnline.TokenHash} {
		wantAccess(t, f, s, h, when, "deleted client's access token")
	}
	wantRefresh(t, f, s, goneRT.TokenHash, when, "deleted client's refresh token")
	wantRefresh(t, f, s, keptRT.TokenHash, time.Time{}, "another client's refresh token")
	wantAccess(t, f, s, keptAT.TokenHash, time.Time{}, "another client's access token")
	if list, err := s.ListClients(f.ctx, f.org.ID); err != nil || len(list) != 1 || list[0].ClientID != kept.ClientID {
		t.Errorf("ListClients after the delete: %v, %v", list, err)
	}
	// The client_id is free again.
	f.addClient(gone.ClientID)
}

var grantTests = []test{
	{"RoundTrip", testGrantRoundTrip},
	{"SingleUse", testGrantSingleUse},
	{"ConcurrentUse", testGrantConcurrentUse},
	{"CountSince", testGrantCount},
	{"RevokeTokens", testRevokeGrantTokens},
}

func (f *fx) newGrant(code, clientID string, created time.Time) *crmguard.Grant {
	return &crmguard.Grant{ID: f.ids.New(), OrgID: f.org.ID, CodeHash: hash(code), ClientID: clientID, UserID: f.user.ID,
		Scopes: "ZohoCRM.users.ALL,ZohoCRM.org.READ", RedirectURI: "https://app.test/cb?x=1",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256", Offline: true,
		ExpiresAt: created.Add(2 * time.Minute), CreatedTime: created}
}

func testGrantRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	g := f.newGrant("code", "1000.X", f.now)
	must(t, s.CreateGrant(f.ctx, g), "CreateGrant")
	plain := &crmguard.Grant{ID: f.ids.New(), OrgID: f.org.ID, CodeHash: hash("plain"), ClientID: "1000.X", UserID: f.user.ID,
		Scopes: "ZohoCRM.users.READ", ExpiresAt: f.at(time.Minute), CreatedTime: f.now}
	must(t, s.CreateGrant(f.ctx, plain), "CreateGrant without PKCE")
	for _, want := range []*crmguard.Grant{g, plain} {
		got, err := s.GetGrant(f.ctx, want.CodeHash)
		must(t, err, "GetGrant")
		same(t, "grant read back", got, want)
	}
	_, err := s.GetGrant(f.ctx, hash("unknown"))
	wantErr(t, err, crmguard.ErrNotFound, "GetGrant of an unknown code")
	dup := f.newGrant("code", "1000.Y", f.now)
	wantErr(t, s.CreateGrant(f.ctx, dup), crmguard.ErrConflict, "CreateGrant with a used code hash")
}

func testGrantSingleUse(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	g := f.newGrant("code", "1000.X", f.now)
	must(t, s.CreateGrant(f.ctx, g), "CreateGrant")
	when := f.at(10 * time.Second)
	got, err := s.UseGrant(f.ctx, g.CodeHash, when)
	must(t, err, "UseGrant")
	want := *g
	want.UsedAt = &when
	same(t, "grant UseGrant returns", got, &want)
	_, err = s.UseGrant(f.ctx, g.CodeHash, f.at(20*time.Second))
	wantErr(t, err, crmguard.ErrNotFound, "second UseGrant")
	got, err = s.GetGrant(f.ctx, g.CodeHash)
	must(t, err, "GetGrant of a used code")
	same(t, "used grant (the first use's time kept)", got, &want)
	_, err = s.UseGrant(f.ctx, hash("unknown"), when)
	wantErr(t, err, crmguard.ErrNotFound, "UseGrant of an unknown code")
}

// testGrantConcurrentUse: of many exchanges of one code at once, one wins.
func testGrantConcurrentUse(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	g := f.newGrant("code", "1000.X", f.now)
	must(t, s.CreateGrant(f.ctx, g), "CreateGrant")
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			_, err := s.UseGrant(f.ctx, g.CodeHash, f.now)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				wins++
			} else if !isNotFound(err) {
				t.Errorf("concurrent UseGrant: %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d concurrent exchanges of one code succeeded, want 1", wins)
	}
}

func testGrantCount(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	for i, c := range []string{"1000.X", "1000.X", "1000.X", "1000.Y"} {
		must(t, s.CreateGrant(f.ctx, f.newGrant(string(rune('a'+i)), c, f.at(time.Duration(i)*time.Minute))), "CreateGrant")
	}
	for _, c := range []struct {
		client string
		since  time.Time
		want   int
	}{
		{"1000.X", f.at(-time.Hour), 3},
		{"1000.X", f.at(30 * time.Second), 2},
		{"1000.X", f.at(90 * time.Second), 1},
		{"1000.X", f.at(time.Hour), 0},
		{"1000.Y", f.at(-time.Hour), 1},
		{"1000.Z", f.at(-time.Hour), 0},
	} {
		if n, err := s.CountGrantsSince(f.ctx, c.client, c.since); err != nil || n != c.want {
			t.Errorf("CountGrantsSince(%s, %v) = %d, %v; want %d", c.client, c.since.Sub(f.now), n, err, c.want)
		}
	}
}
