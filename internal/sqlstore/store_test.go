package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// backends returns the stores the suite runs on: SQLite always; PostgreSQL
// once its dialect exists and CRMGUARD_TEST_POSTGRES is set.
func backends(t *testing.T) map[string]func(t *testing.T) *sqlstore.Store {
	b := map[string]func(t *testing.T) *sqlstore.Store{
		"sqlite": func(t *testing.T) *sqlstore.Store {
			s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "t.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	if os.Getenv("CRMGUARD_TEST_POSTGRES") == "" {
		t.Log("CRMGUARD_TEST_POSTGRES is unset: PostgreSQL runs skipped")
	}
	return b
}

type fixture struct {
	org     *crmguard.Org
	profile *crmguard.Profile
	role    *crmguard.Role
	user    *crmguard.User
	ids     *crmguard.IDGen
	now     time.Time
}

func seed(t *testing.T, s *sqlstore.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	ids := crmguard.NewIDGen(nil)
	now := time.Now().UTC().Truncate(time.Millisecond)
	f := &fixture{ids: ids, now: now}
	f.org = &crmguard.Org{ID: ids.New(), CompanyName: "Acme", TimeZone: "UTC", Edition: "enterprise", CreatedTime: now, ModifiedTime: now}
	f.profile = &crmguard.Profile{ID: ids.New(), OrgID: f.org.ID, Name: "Administrator", DisplayLabel: "Administrator",
		Type: crmguard.ProfileNormal, Permissions: crmguard.AllPermissions(), CreatedTime: now, ModifiedTime: now}
	f.role = &crmguard.Role{ID: ids.New(), OrgID: f.org.ID, Name: "CEO", DisplayLabel: "CEO", CreatedTime: now, ModifiedTime: now}
	f.user = &crmguard.User{ID: ids.New(), OrgID: f.org.ID, Email: "Ann@Example.com", LastName: "Ann", RoleID: f.role.ID,
		ProfileID: f.profile.ID, Status: crmguard.UserActive, CreatedTime: now, ModifiedTime: now}
	err := s.InTx(ctx, func(tx crmguard.Store) error {
		if err := tx.CreateOrg(ctx, f.org); err != nil {
			return err
		}
		if err := tx.CreateProfile(ctx, f.profile); err != nil {
			return err
		}
		if err := tx.CreateRole(ctx, f.role); err != nil {
			return err
		}
		return tx.CreateUser(ctx, f.user)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestStore(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
			t.Run("Sentinels", func(t *testing.T) { testSentinels(t, open(t)) })
			t.Run("TxRollback", func(t *testing.T) { testRollback(t, open(t)) })
			t.Run("GrantSingleUse", func(t *testing.T) { testGrantSingleUse(t, open(t)) })
			t.Run("RevokeCascade", func(t *testing.T) { testRevokeCascade(t, open(t)) })
			t.Run("IPRulesAndAudit", func(t *testing.T) { testIPRulesAndAudit(t, open(t)) })
			t.Run("UserQueries", func(t *testing.T) { testUserQueries(t, open(t)) })
			t.Run("Fields", func(t *testing.T) { testFields(t, open(t)) })
			t.Run("GetUsersPages", func(t *testing.T) { testGetUsersPages(t, open(t)) })
		})
	}
}

func testRoundTrip(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	u, err := s.GetUserByEmail(ctx, f.org.ID, "ann@EXAMPLE.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != f.user.ID || u.Email != "Ann@Example.com" || !u.CreatedTime.Equal(f.now) || u.Status != crmguard.UserActive {
		t.Errorf("user read back as %+v", u)
	}
	p, err := s.GetProfile(ctx, f.org.ID, f.profile.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Permissions != crmguard.AllPermissions() {
		t.Errorf("permissions read back as %v, want %v", p.Permissions, crmguard.AllPermissions())
	}
	o, err := s.GetOrg(ctx, f.org.ID)
	if err != nil || o.CompanyName != "Acme" || o.TrialExpiry != nil {
		t.Errorf("org read back as %+v, %v", o, err)
	}
	n, err := s.CountUsers(ctx, f.org.ID, crmguard.UserActive)
	if err != nil || n != 1 {
		t.Errorf("CountUsers = %d, %v", n, err)
	}
}

func testSentinels(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	if _, err := s.GetUser(ctx, f.org.ID, f.ids.New()); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("missing user: %v, want ErrNotFound", err)
	}
	dup := *f.user
	dup.ID, dup.Email = f.ids.New(), "ANN@example.COM"
	if err := s.CreateUser(ctx, &dup); !errors.Is(err, crmguard.ErrConflict) {
		t.Errorf("duplicate e-mail in another case: %v, want ErrConflict", err)
	}
	dp := *f.profile
	dp.ID, dp.Name = f.ids.New(), "administrator"
	if err := s.CreateProfile(ctx, &dp); !errors.Is(err, crmguard.ErrConflict) {
		t.Errorf("duplicate profile name: %v, want ErrConflict", err)
	}
	if err := s.UpdateUser(ctx, &crmguard.User{OrgID: f.org.ID, ID: f.ids.New()}); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("update of a missing user: %v, want ErrNotFound", err)
	}
	// An ID of another org is not found: every row belongs to its org.
	if _, err := s.GetUser(ctx, f.ids.New(), f.user.ID); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("user through another org: %v, want ErrNotFound", err)
	}
}

func testRollback(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx crmguard.Store) error {
		u := *f.user
		u.ID, u.Email = f.ids.New(), "bob@example.com"
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.now, Source: "cli", Action: "user.create", TargetType: "user"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v", err)
	}
	if _, err := s.GetUserByEmail(ctx, f.org.ID, "bob@example.com"); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("rolled-back user exists: %v", err)
	}
	if seq, _ := s.LastAuditSeq(ctx); seq != 0 {
		t.Errorf("rolled-back audit event exists: seq %d", seq)
	}
}

func testGrantSingleUse(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	g := &crmguard.Grant{ID: f.ids.New(), OrgID: f.org.ID, CodeHash: []byte("0123456789abcdef0123456789abcdef"),
		ClientID: "1000.X", UserID: f.user.ID, Scopes: "ZohoCRM.users.ALL", ExpiresAt: f.now.Add(time.Minute), CreatedTime: f.now}
	if err := s.CreateGrant(ctx, g); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.UseGrant(ctx, g.CodeHash, f.now); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, crmguard.ErrNotFound) {
				t.Errorf("UseGrant: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d concurrent exchanges of one code succeeded, want 1", wins)
	}
}

func testRevokeCascade(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	rt := &crmguard.RefreshToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: []byte("r"), ClientID: "1000.X", UserID: f.user.ID, Scopes: "s", CreatedTime: f.now}
	if err := s.CreateRefreshToken(ctx, rt); err != nil {
		t.Fatal(err)
	}
	for i, h := range []string{"a1", "a2"} {
		at := &crmguard.AccessToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: []byte(h), RefreshID: rt.ID, ClientID: "1000.X",
			UserID: f.user.ID, Scopes: "s", ExpiresAt: f.now.Add(time.Hour), CreatedTime: f.now.Add(time.Duration(i) * time.Second)}
		if err := s.CreateAccessToken(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	live, err := s.ListLiveAccessTokens(ctx, rt.ID, f.now)
	if err != nil || len(live) != 2 || string(live[0].TokenHash) != "a1" {
		t.Fatalf("live tokens before revoke: %v %v", live, err)
	}
	if err := s.RevokeRefreshToken(ctx, rt.ID, f.now); err != nil {
		t.Fatal(err)
	}
	if live, _ := s.ListLiveAccessTokens(ctx, rt.ID, f.now); len(live) != 0 {
		t.Errorf("%d access tokens live after their refresh token was revoked", len(live))
	}
	got, _ := s.GetRefreshToken(ctx, []byte("r"))
	if got.RevokedAt == nil {
		t.Error("refresh token not revoked")
	}
	if err := s.RevokeRefreshToken(ctx, rt.ID, f.now); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("second revoke: %v, want ErrNotFound", err)
	}
}

func testIPRulesAndAudit(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	r := &crmguard.IPRule{ID: f.ids.New(), OrgID: f.org.ID, Name: "office", Prefix: netip.MustParsePrefix("2001:db8::/32"),
		AppliesTo: crmguard.IPRuleProfile, TargetID: f.profile.ID, CreatedTime: f.now}
	if err := s.CreateIPRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	rules, err := s.ListIPRules(ctx, f.org.ID)
	if err != nil || len(rules) != 1 || rules[0].Prefix != r.Prefix || rules[0].TargetID != f.profile.ID {
		t.Fatalf("rules: %v %v", rules, err)
	}
	if err := s.DeleteIPRule(ctx, f.org.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteIPRule(ctx, f.org.ID, r.ID); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	var last int64
	for i := 0; i < 3; i++ {
		e := &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.now, Source: "cli", Action: "x", TargetType: "t", After: []byte(`{"a":1}`)}
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.Seq <= last {
			t.Errorf("audit seq %d after %d", e.Seq, last)
		}
		last = e.Seq
	}
	if seq, _ := s.LastAuditSeq(ctx); seq != last {
		t.Errorf("LastAuditSeq = %d, want %d", seq, last)
	}
	evs, err := s.ListAudit(ctx, f.org.ID, crmguard.AuditFilter{Limit: 2})
	if err != nil || len(evs) != 2 || evs[0].Seq != last || string(evs[0].After) != `{"a":1}` || evs[0].Before != nil {
		t.Errorf("ListAudit: %+v %v", evs, err)
	}
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	for i := 0; i < 2; i++ {
		s, err := sqlstore.OpenSQLite(context.Background(), path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		s.Close()
	}
}

func testUserQueries(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	var users []*crmguard.User
	for i := 0; i < 6; i++ {
		u := *f.user
		u.ID, u.Email = f.ids.New(), fmt.Sprintf("u%d@example.com", i)
		u.Confirmed = i%2 == 0
		u.Status = []string{crmguard.UserActive, crmguard.UserDisabled, crmguard.UserDeleted}[i%3]
		u.ModifiedTime = f.now.Add(time.Duration(i) * time.Second)
		u.Extra = map[string]json.RawMessage{"city": json.RawMessage(`"Lyon"`), "Score": json.RawMessage(`7`)}
		users = append(users, &u)
	}
	if err := s.CreateUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	dup := *users[0]
	dup.ID = f.ids.New()
	if err := s.CreateUsers(ctx, []*crmguard.User{&dup}); !errors.Is(err, crmguard.ErrConflict) {
		t.Errorf("bulk insert of a duplicate e-mail: %v", err)
	}
	yes := true
	for _, c := range []struct {
		name   string
		filter crmguard.UserFilter
		want   []int // indexes into users; -1 is the fixture's user
	}{
		{"all", crmguard.UserFilter{}, []int{-1, 0, 1, 2, 3, 4, 5}},
		{"active", crmguard.UserFilter{Statuses: []string{crmguard.UserActive}}, []int{-1, 0, 3}},
		{"not deleted, confirmed", crmguard.UserFilter{Statuses: []string{crmguard.UserActive, crmguard.UserDisabled}, Confirmed: &yes}, []int{0, 4}},
		{"ids", crmguard.UserFilter{IDs: []crmguard.ID{users[5].ID, users[1].ID, 42}}, []int{1, 5}},
		{"no ids", crmguard.UserFilter{IDs: []crmguard.ID{}}, nil},
		{"modified after", crmguard.UserFilter{ModifiedAfter: f.now.Add(3 * time.Second)}, []int{4, 5}},
		{"profile", crmguard.UserFilter{ProfileID: f.ids.New()}, nil},
	} {
		ids, err := s.ListUserIDs(ctx, f.org.ID, c.filter)
		var want []crmguard.ID
		for _, i := range c.want {
			if i < 0 {
				want = append(want, f.user.ID)
			} else {
				want = append(want, users[i].ID)
			}
		}
		if err != nil || fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("%s: %v %v, want %v", c.name, ids, err, want)
		}
		var walked []crmguard.ID
		if err := s.EachUser(ctx, f.org.ID, c.filter, func(u *crmguard.User) error { walked = append(walked, u.ID); return nil }); err != nil || fmt.Sprint(walked) != fmt.Sprint(want) {
			t.Errorf("%s: EachUser %v %v", c.name, walked, err)
		}
	}
	got, err := s.GetUsers(ctx, f.org.ID, []crmguard.ID{users[3].ID, users[0].ID, 7})
	if err != nil || len(got) != 2 || got[0].ID != users[0].ID || string(got[1].Extra["Score"]) != "7" || string(got[1].Extra["city"]) != `"Lyon"` {
		t.Errorf("GetUsers: %v %v", got, err)
	}
	// A deleted user frees the e-mail; the invitation hash finds its user.
	if _, err := s.GetUserByEmail(ctx, f.org.ID, "u2@example.com"); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("deleted user by e-mail: %v", err)
	}
	again := *users[2]
	again.ID, again.Status = f.ids.New(), crmguard.UserActive
	if err := s.CreateUser(ctx, &again); err != nil {
		t.Errorf("re-adding a deleted user's e-mail: %v", err)
	}
	u := users[3]
	u.InviteHash, u.InviteExpires = []byte("0123456789abcdef0123456789abcdef"), f.now.Add(time.Hour)
	if err := s.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if inv, err := s.GetUserByInvite(ctx, u.InviteHash); err != nil || inv.ID != u.ID || !inv.InviteExpires.Equal(u.InviteExpires) {
		t.Errorf("GetUserByInvite: %v %v", inv, err)
	}
}

func testFields(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	mk := func(api, label string, custom bool) *crmguard.Field {
		return &crmguard.Field{ID: f.ids.New(), OrgID: f.org.ID, Module: crmguard.ModuleUsers, APIName: api, Label: label,
			Type: crmguard.FieldPicklist, PickList: []string{"a", "b"}, Custom: custom, CreatedTime: f.now}
	}
	for _, fl := range []*crmguard.Field{mk("Team", "Team", true), mk("city", "City", false)} {
		if err := s.CreateField(ctx, fl); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateField(ctx, mk("team", "Other", true)); !errors.Is(err, crmguard.ErrConflict) {
		t.Errorf("same API name in another case: %v", err)
	}
	if err := s.CreateField(ctx, mk("Other", "TEAM", true)); !errors.Is(err, crmguard.ErrConflict) {
		t.Errorf("same label in another case: %v", err)
	}
	fs, err := s.ListFields(ctx, f.org.ID, crmguard.ModuleUsers)
	if err != nil || len(fs) != 2 || fs[0].APIName != "city" || fs[1].APIName != "Team" || fmt.Sprint(fs[1].PickList) != "[a b]" {
		t.Errorf("ListFields (system first): %v %v", fs, err)
	}
}

// testGetUsersPages: a page of sorted IDs is read as one range walk when
// dense, by ID when sparse or unsorted; both give exactly the users asked
// for, in ID order.
func testGetUsersPages(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := seed(t, s)
	var users []*crmguard.User
	for i := 0; i < 120; i++ {
		u := *f.user
		u.ID, u.Email = f.ids.New(), fmt.Sprintf("p%d@example.com", i)
		users = append(users, &u)
	}
	if err := s.CreateUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	pick := func(step int, extra ...crmguard.ID) []crmguard.ID {
		var ids []crmguard.ID
		for i := 0; i < len(users); i += step {
			ids = append(ids, users[i].ID)
		}
		return append(ids, extra...)
	}
	for _, c := range []struct {
		name string
		ids  []crmguard.ID
		want int
	}{
		{"dense", pick(1)[10:60], 50},
		{"dense with a gap and an unknown ID", append(pick(1)[0:30:30], users[40].ID, users[40].ID+1, users[41].ID), 32},
		{"sparse", pick(5), 24},
		{"unsorted", []crmguard.ID{users[50].ID, users[3].ID, users[20].ID}, 3},
	} {
		got, err := s.GetUsers(ctx, f.org.ID, c.ids)
		if err != nil || len(got) != c.want {
			t.Errorf("%s: %d users, %v; want %d", c.name, len(got), err, c.want)
			continue
		}
		asked := map[crmguard.ID]bool{}
		for _, id := range c.ids {
			asked[id] = true
		}
		for i, u := range got {
			if !asked[u.ID] || (i > 0 && got[i-1].ID >= u.ID) {
				t.Errorf("%s: user %d (%s) not asked for or out of order", c.name, i, u.ID)
			}
		}
	}
}
