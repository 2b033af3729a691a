package service

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// listFixture is a service over a SQLite file with the demo org.
func listFixture(t *testing.T) (*Service, crmguard.Actor) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "crmguard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := New(st, Config{PasswordCost: 4}, nil)
	boot, err := s.EnsureOrg(ctx, BootstrapOptions{LicenseUsers: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedDemo(ctx, boot.Org.ID, true); err != nil {
		t.Fatal(err)
	}
	return s, crmguard.Actor{OrgID: boot.Org.ID, UserID: boot.Admin.ID, Source: crmguard.SourceCLI}
}

// cacheableTypes are the user types whose ID lists the service caches.
var cacheableTypes = slices.DeleteFunc(slices.Clone(UserTypes), func(t string) bool { return t == "CurrentUser" })

// TestPatchedListsEqualRebuilt: after many writes of every kind (add,
// confirm, activate, deactivate, change of profile to and from
// Administrator, delete, token mints and revocations, and now and then a
// change the service cannot narrow), each reading a random subset of the
// types so that patches pile up, every cached list equals what the store
// selects for the type.
func TestPatchedListsEqualRebuilt(t *testing.T) {
	ctx := context.Background()
	s, admin := listFixture(t)
	org := admin.OrgID
	rng := rand.New(rand.NewPCG(15, 4))
	profiles, err := s.ListProfiles(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	users := func() []*crmguard.User {
		var out []*crmguard.User
		err := s.store.EachUser(ctx, org, crmguard.UserFilter{Statuses: notDeleted}, func(u *crmguard.User) error {
			if u.ID != admin.UserID {
				out = append(out, u)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	pick := func() *crmguard.User {
		us := users()
		return us[rng.IntN(len(us))]
	}
	var invites []string
	patched, rebuilt, confirmed := 0, 0, 0
	for step := range 400 {
		var what string
		switch k := rng.IntN(10); k {
		case 0, 1:
			email := fmt.Sprintf("random.%d@example.test", step)
			last := "Random"
			role := pick().RoleID
			profile := profiles[rng.IntN(len(profiles))].ID
			nu, err := s.AddUser(ctx, admin, UserInput{LastName: &last, Email: &email, Role: &role, Profile: &profile})
			if err != nil {
				t.Fatalf("step %d add: %v", step, err)
			}
			invites = append(invites, path.Base(nu.InviteURL))
			what = "add"
		case 2:
			if len(invites) == 0 {
				continue
			}
			tok := invites[0]
			invites = invites[1:]
			if _, err := s.AcceptInvite(ctx, "127.0.0.1", tok, "a-Long-password-15"); err != nil {
				what = "confirm (refused: " + err.Error() + ")"
			} else {
				what = "confirm"
				confirmed++
			}
		case 3, 4:
			u := pick()
			st := "inactive"
			if u.Status != crmguard.UserActive {
				st = "active"
			}
			errs, err := s.UpdateUsers(ctx, admin, []UserUpdate{{ID: u.ID, HasID: true, Input: UserInput{Status: &st}}})
			if err != nil {
				t.Fatalf("step %d status: %v", step, err)
			}
			what = fmt.Sprintf("status %s (%v)", st, errs)
		case 5, 6:
			u := pick()
			p := profiles[rng.IntN(len(profiles))].ID
			if _, err := s.UpdateUsers(ctx, admin, []UserUpdate{{ID: u.ID, HasID: true, Input: UserInput{Profile: &p}}}); err != nil {
				t.Fatalf("step %d profile: %v", step, err)
			}
			what = "profile"
		case 7:
			if err := s.DeleteUser(ctx, admin, pick().ID); err != nil {
				what = "delete (refused: " + err.Error() + ")"
			} else {
				what = "delete"
			}
		case 8:
			tok, err := s.IssueTokens(ctx, admin, admin.UserID, "ZohoCRM.users.ALL", true)
			if err != nil {
				t.Fatal(err)
			}
			if rng.IntN(2) == 0 {
				if _, err := s.Revoke(ctx, admin, tok.RefreshToken); err != nil {
					t.Fatal(err)
				}
			}
			what = "tokens"
		case 9:
			if rng.IntN(4) == 0 {
				if _, err := s.AddIPRule(ctx, admin, IPRuleInput{Range: fmt.Sprintf("198.51.100.%d", step%250), AppliesTo: crmguard.IPRuleAll}); err != nil {
					t.Fatal(err)
				}
				what = "ip rule (All)"
			} else {
				// Several users in one write.
				var ups []UserUpdate
				st := []string{"active", "inactive"}[rng.IntN(2)]
				for range 3 {
					ups = append(ups, UserUpdate{ID: pick().ID, HasID: true, Input: UserInput{Status: &st}})
				}
				if _, err := s.UpdateUsers(ctx, admin, ups); err != nil {
					t.Fatal(err)
				}
				what = "three users " + st
			}
		}
		for _, typ := range cacheableTypes {
			if rng.IntN(3) != 0 && step != 399 {
				continue // left behind: the next read patches several changes at once
			}
			s.lists.mu.Lock()
			before := s.lists.m[idListKey{org, typ}]
			s.lists.mu.Unlock()
			got, err := s.userIDs(ctx, org, UserQuery{Type: typ})
			if err != nil {
				t.Fatal(err)
			}
			s.lists.mu.Lock()
			after := s.lists.m[idListKey{org, typ}]
			s.lists.mu.Unlock()
			if before != nil && after != before && after.f.ProfileID == before.f.ProfileID && after.seq > before.seq {
				patched++
			} else if after != before {
				rebuilt++
			}
			f, err := s.typeFilter(ctx, org, typ, 0)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.store.ListUserIDs(ctx, org, f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("step %d (%s): %s list has %d IDs, the store selects %d", step, what, typ, len(got), len(want))
			}
		}
	}
	if patched < 100 {
		t.Errorf("only %d lists were patched (%d built): the test does not exercise patching", patched, rebuilt)
	}
	if confirmed < 10 {
		t.Errorf("only %d users confirmed their invitation", confirmed)
	}
	t.Logf("%d lists patched, %d built; %d invitations accepted", patched, rebuilt, confirmed)
}

// TestClassify: what each kind of write names.
func TestClassify(t *testing.T) {
	u, v := crmguard.ID(11), crmguard.ID(12)
	tok := func(action string, user crmguard.ID) audited {
		return audited{action: action, targetType: "access_token", target: 99, after: []byte(fmt.Sprintf(`{"user_id":"%d"}`, user))}
	}
	for _, c := range []struct {
		name   string
		events []audited
		want   Change
	}{
		{"nothing audited", nil, Change{All: true}},
		{"user update", []audited{{action: "user.update", targetType: "user", target: u}}, Change{Users: []crmguard.ID{u}, Renamed: []crmguard.ID{u}, Active: true}},
		{"user update, same name", []audited{{action: "user.update", targetType: "user", target: u,
			before: []byte(`{"first_name":"Ann","last_name":"Lee","city":"A"}`), after: []byte(`{"first_name":"Ann","last_name":"Lee","city":"B"}`)}},
			Change{Users: []crmguard.ID{u}}},
		{"user update, new last name", []audited{{action: "user.update", targetType: "user", target: u,
			before: []byte(`{"first_name":"Ann","last_name":"Lee"}`), after: []byte(`{"first_name":"Ann","last_name":"Li"}`)}},
			Change{Users: []crmguard.ID{u}, Renamed: []crmguard.ID{u}}},
		{"user deactivated", []audited{{action: "user.deactivate", targetType: "user", target: u}}, Change{Users: []crmguard.ID{u}, Renamed: []crmguard.ID{u}, Active: true}},
		{"user update, new status", []audited{{action: "user.update", targetType: "user", target: u,
			before: []byte(`{"first_name":"Ann","last_name":"Lee","status":"active"}`), after: []byte(`{"first_name":"Ann","last_name":"Lee","status":"disabled"}`)}},
			Change{Users: []crmguard.ID{u}, Active: true}},
		{"user added", []audited{{action: "user.add", targetType: "user", target: v}}, Change{Users: []crmguard.ID{v}, Renamed: []crmguard.ID{v}, Active: true}},
		{"mint", []audited{{action: "token.issue", targetType: "refresh_token"}, {action: "token.issue", targetType: "access_token"}}, Change{}},
		{"mint evicting", []audited{tok("token.evict", v), {action: "token.issue", targetType: "access_token"}}, Change{Tokens: []crmguard.ID{v}}},
		{"revoke", []audited{tok("token.revoke", v)}, Change{Tokens: []crmguard.ID{v}}},
		{"revoke without user", []audited{{action: "token.revoke", targetType: "grant"}}, Change{All: true}},
		{"revoke all", []audited{{action: "token.revoke_all", targetType: "user", target: u}}, Change{Tokens: []crmguard.ID{u}}},
		{"sign in", []audited{{action: "session.login", targetType: "user", target: u}}, Change{}},
		{"password and sign in", []audited{{action: "user.password", targetType: "user", target: u}, {action: "session.login", targetType: "user", target: u}}, Change{Users: []crmguard.ID{u}, Renamed: []crmguard.ID{u}}},
		{"profile", []audited{{action: "profile.update", targetType: "profile", target: 5}}, Change{All: true}},
		{"user and role", []audited{{action: "user.update", targetType: "user", target: u}, {action: "role.update", targetType: "role"}}, Change{All: true}},
		{"transfer", []audited{{action: "user.delete", targetType: "user", target: u}, {action: "user.transfer_and_delete", targetType: "transfer_job"}}, Change{All: true}},
		{"seed", []audited{{action: "user.seed", targetType: "org"}}, Change{All: true}},
		{"unknown user action", []audited{{action: "user.something_new", targetType: "user", target: u}}, Change{All: true}},
	} {
		got := classify(c.events)
		if got.All != c.want.All || got.Active != c.want.Active || !slices.Equal(got.Users, c.want.Users) || !slices.Equal(got.Tokens, c.want.Tokens) || !slices.Equal(got.Renamed, c.want.Renamed) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
	many := make([]audited, maxTargets+1)
	for i := range many {
		many[i] = audited{action: "user.update", targetType: "user", target: crmguard.ID(i + 1)}
	}
	if !classify(many).All {
		t.Errorf("a write naming %d users is not All", len(many))
	}
}

// TestPatchIDsKeepsTheListWhenNothingMoves: a patch whose changes keep
// every user in or out of the list returns the list itself, uncopied; one
// that moves a user in or out returns a new list with the move, the old
// one untouched.
func TestPatchIDsKeepsTheListWhenNothingMoves(t *testing.T) {
	active := crmguard.UserFilter{Statuses: []string{crmguard.UserActive}}
	ids := []crmguard.ID{10, 20, 30, 40}
	user := func(id crmguard.ID, status string) *crmguard.User {
		return &crmguard.User{ID: id, Status: status}
	}
	for _, c := range []struct {
		name    string
		changed []crmguard.ID
		rows    []*crmguard.User
		want    []crmguard.ID
		same    bool
	}{
		{"a listed user still selected", []crmguard.ID{20}, []*crmguard.User{user(20, crmguard.UserActive)}, ids, true},
		{"an unlisted user still not selected", []crmguard.ID{25}, []*crmguard.User{user(25, crmguard.UserDisabled)}, ids, true},
		{"several, none moving", []crmguard.ID{10, 25, 40}, []*crmguard.User{user(10, crmguard.UserActive), user(25, crmguard.UserDisabled), user(40, crmguard.UserActive)}, ids, true},
		{"a listed user no longer selected", []crmguard.ID{30}, []*crmguard.User{user(30, crmguard.UserDisabled)}, []crmguard.ID{10, 20, 40}, false},
		{"a listed user gone", []crmguard.ID{10}, nil, []crmguard.ID{20, 30, 40}, false},
		{"a new user selected", []crmguard.ID{35}, []*crmguard.User{user(35, crmguard.UserActive)}, []crmguard.ID{10, 20, 30, 35, 40}, false},
		{"one stays, one joins", []crmguard.ID{20, 50}, []*crmguard.User{user(20, crmguard.UserActive), user(50, crmguard.UserActive)}, []crmguard.ID{10, 20, 30, 40, 50}, false},
	} {
		before := slices.Clone(ids)
		got := patchIDs(ids, c.changed, c.rows, active)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if same := len(got) > 0 && &got[0] == &ids[0]; same != c.same {
			t.Errorf("%s: the list itself returned: %v, want %v", c.name, same, c.same)
		}
		if !slices.Equal(ids, before) {
			t.Fatalf("%s: the old list changed: %v", c.name, ids)
		}
	}
}

// countingLists is the real store, counting its full reads of ID lists and
// holding each until release is closed.
type countingLists struct {
	crmguard.Store
	n       atomic.Int32
	release chan struct{}
}

func (c *countingLists) ListUserIDs(ctx context.Context, org crmguard.ID, f crmguard.UserFilter) ([]crmguard.ID, error) {
	c.n.Add(1)
	<-c.release
	return c.Store.ListUserIDs(ctx, org, f)
}

// TestListBuiltOnceForConcurrentReaders: callers that all find a type's
// list missing read it from the store once between them, and all get it.
func TestListBuiltOnceForConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	s, admin := listFixture(t)
	want, err := s.store.ListUserIDs(ctx, admin.OrgID, crmguard.UserFilter{Statuses: onlyActive})
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingLists{Store: s.store, release: make(chan struct{})}
	s.store = counted
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			ids, err := s.typeIDs(ctx, admin.OrgID, "ActiveUsers")
			if err != nil || !slices.Equal(ids, want) {
				t.Errorf("typeIDs: %d IDs, %v; want %d", len(ids), err, len(want))
			}
		})
	}
	// The first read is held: the others meanwhile either wait for it or,
	// were the build not shared, start reads of their own. The pause only
	// gives them the time to; it cannot make the test fail wrongly.
	for counted.n.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(counted.release)
	wg.Wait()
	if n := counted.n.Load(); n != 1 {
		t.Errorf("16 concurrent readers read the list %d times, want once", n)
	}
}
