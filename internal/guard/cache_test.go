package guard

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/web"
)

// cacheFixture is a guard over a service over a SQLite file with the demo
// org, and its admin.
func cacheFixture(t *testing.T) (*Guard, *service.Service, crmguard.Actor) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "crmguard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := service.New(st, service.Config{PasswordCost: 4}, nil)
	boot, err := svc.EnsureOrg(ctx, service.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx, boot.Org.ID, true); err != nil {
		t.Fatal(err)
	}
	return New(svc, Config{}, web.NewMetrics()), svc, crmguard.Actor{OrgID: boot.Org.ID, UserID: boot.Admin.ID, Source: crmguard.SourceCLI}
}

func (g *Guard) entryOf(t *testing.T, tok string) *entry {
	t.Helper()
	r := httptest.NewRequest("GET", "/crm/v8/users", nil)
	r.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	e, _, err := g.principal(r)
	if err != nil {
		return nil
	}
	return e
}

// TestPrincipalSurvivesUnrelatedChanges: a cached principal stays cached
// (the same entry, no store read) when a token is minted, another user
// changes or a session opens; it goes when its user changes, when its
// token or any of its user's tokens is revoked, and on a change the
// service cannot narrow.
func TestPrincipalSurvivesUnrelatedChanges(t *testing.T) {
	ctx := context.Background()
	g, svc, admin := cacheFixture(t)
	mint := func(user crmguard.ID) *service.Tokens {
		t.Helper()
		tok, err := svc.IssueTokens(ctx, admin, user, "ZohoCRM.users.ALL", true)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tok := mint(admin.UserID).AccessToken
	e := g.entryOf(t, tok)
	if e == nil || g.entryOf(t, tok) != e {
		t.Fatal("the principal is not cached")
	}
	same := func(what string) {
		t.Helper()
		if g.entryOf(t, tok) != e {
			t.Errorf("after %s the principal was read again", what)
		}
		e = g.entryOf(t, tok)
	}
	gone := func(what string) {
		t.Helper()
		if n := g.entryOf(t, tok); n == e {
			t.Errorf("after %s the cached principal is still served", what)
		}
		e = g.entryOf(t, tok)
	}

	mint(admin.UserID)
	same("a token minted for the same user")
	users, err := svc.ListUsers(ctx, admin.OrgID, service.UserQuery{Type: "ActiveUsers", Page: 1, PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	var other *crmguard.User
	for _, u := range users.Users {
		if u.ID != admin.UserID {
			other = u
			break
		}
	}
	otherTok := mint(other.ID)
	same("a token minted for another user")
	name := "Renamed"
	if _, err := svc.UpdateUsers(ctx, admin, []service.UserUpdate{{ID: other.ID, HasID: true, Input: service.UserInput{FirstName: &name}}}); err != nil {
		t.Fatal(err)
	}
	same("another user's update")
	if _, err := svc.Revoke(ctx, admin, otherTok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	same("another user's token revoked")
	credits := e.p.Credits
	inactive := "inactive"
	if _, err := svc.UpdateUsers(ctx, admin, []service.UserUpdate{{ID: other.ID, HasID: true, Input: service.UserInput{Status: &inactive}}}); err != nil {
		t.Fatal(err)
	}
	gone("another user deactivated (the org's active users: every principal's limits)")
	if e.p.Credits >= credits {
		t.Errorf("credits after one active user fewer: %d, before %d", e.p.Credits, credits)
	}

	if _, err := svc.UpdateUsers(ctx, admin, []service.UserUpdate{{ID: admin.UserID, HasID: true, Input: service.UserInput{FirstName: &name}}}); err != nil {
		t.Fatal(err)
	}
	gone("its user's update")
	if e.p.UserName == "" || e.p.UserID != admin.UserID {
		t.Fatalf("principal after the update: %+v", e.p)
	}
	spare := mint(admin.UserID)
	same("a mint")
	if _, err := svc.Revoke(ctx, admin, spare.RefreshToken); err != nil {
		t.Fatal(err)
	}
	gone("another token of its user revoked")
	if _, err := svc.AddIPRule(ctx, admin, service.IPRuleInput{Range: "198.51.100.0/24", AppliesTo: crmguard.IPRuleAll}); err != nil {
		t.Fatal(err)
	}
	gone("an IP rule (All)")
	if _, err := svc.Revoke(ctx, admin, tok); err != nil {
		t.Fatal(err)
	}
	if g.entryOf(t, tok) != nil {
		t.Fatal("a revoked token still resolves")
	}
}

// TestPrincipalReadRacingAWrite: a principal read before a change to its
// user, and put after the change was published, is refused; one put before
// the change is published is dropped by it. Either way the next request
// reads the user as changed.
func TestPrincipalReadRacingAWrite(t *testing.T) {
	ctx := context.Background()
	g, svc, admin := cacheFixture(t)
	user := adminOtherThan(t, svc, admin)
	tok, err := svc.IssueTokens(ctx, admin, user, "ZohoCRM.users.ALL", false)
	if err != nil {
		t.Fatal(err)
	}
	h := service.HashToken(tok.AccessToken)
	setStatus := func(status string) {
		t.Helper()
		epoch := svc.Epoch()
		errs, err := svc.UpdateUsers(ctx, admin, []service.UserUpdate{{ID: user, HasID: true, Input: service.UserInput{Status: &status}}})
		if err != nil || errs[0] != nil {
			t.Fatal(err, errs)
		}
		if svc.Epoch() != epoch {
			t.Fatal("a status change was published as an All change")
		}
	}
	for _, putFirst := range []bool{false, true} {
		g.cache.clear()
		start, epoch := svc.Seq(), svc.Epoch()
		p, err := svc.Principal(ctx, h) // the read: the user is active
		if err != nil || !p.UserActive {
			t.Fatalf("principal %+v, %v", p, err)
		}
		e := &entry{p: p, epoch: epoch}
		put := func() { g.cache.put(h, e, func() bool { return svc.StalePrincipal(start, p.UserID) }) }
		if putFirst {
			put()
			if got, ok := g.cache.get(&h, svc.Epoch()); !ok || got != e {
				t.Fatal("a principal put with nothing changed since its read was refused")
			}
		}
		setStatus("inactive") // the write the read races
		if !putFirst {
			put()
		}
		if got, ok := g.cache.get(&h, svc.Epoch()); ok && got == e {
			t.Errorf("put first %v: the principal read before the deactivation is still cached", putFirst)
		}
		if e := g.entryOf(t, tok.AccessToken); e == nil || e.p.UserActive {
			t.Errorf("put first %v: the next request does not see the user inactive", putFirst)
		}
		setStatus("active")
	}
}

// adminOtherThan is another active administrator of the demo org.
func adminOtherThan(t *testing.T, svc *service.Service, a crmguard.Actor) crmguard.ID {
	t.Helper()
	users, err := svc.ListUsers(context.Background(), a.OrgID, service.UserQuery{Type: "ActiveConfirmedAdmins", Page: 1, PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Users {
		if u.ID != a.UserID {
			return u.ID
		}
	}
	t.Fatal("the demo org has one administrator")
	return 0
}
