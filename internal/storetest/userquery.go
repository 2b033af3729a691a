package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var userQueryTests = []test{
	{"Filters", testUserFilters},
	{"EachUserStops", testEachUserStops},
	{"GetUsers", testGetUsers},
	{"GetUsersPages", testGetUsersPages},
}

// testUserFilters: ListUserIDs and EachUser select the same users, each
// filter field on its own and together, ascending by ID.
func testUserFilters(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	std := f.addProfile(f.org.ID, "Standard")
	var users []*crmguard.User
	for i := range 6 {
		u := f.newUser(f.tenant, fmt.Sprintf("u%d@example.com", i))
		u.Confirmed = i%2 == 0
		u.Status = []string{crmguard.UserActive, crmguard.UserDisabled, crmguard.UserDeleted}[i%3]
		u.ModifiedTime = f.at(time.Duration(i+1) * time.Second)
		if i >= 4 {
			u.ProfileID = std.ID
		}
		users = append(users, u)
	}
	must(t, s.CreateUsers(f.ctx, users), "CreateUsers")
	other := f.addTenant("Other", "o@other.test")
	yes, no := true, false
	for _, c := range []struct {
		name   string
		filter crmguard.UserFilter
		want   []int // indexes into users; -1 is the fixture's user
	}{
		{"all", crmguard.UserFilter{}, []int{-1, 0, 1, 2, 3, 4, 5}},
		{"active", crmguard.UserFilter{Statuses: []string{crmguard.UserActive}}, []int{-1, 0, 3}},
		{"two statuses", crmguard.UserFilter{Statuses: []string{crmguard.UserDisabled, crmguard.UserDeleted}}, []int{1, 2, 4, 5}},
		{"confirmed", crmguard.UserFilter{Confirmed: &yes}, []int{-1, 0, 2, 4}},
		{"not confirmed", crmguard.UserFilter{Confirmed: &no}, []int{1, 3, 5}},
		{"not deleted, confirmed", crmguard.UserFilter{Statuses: []string{crmguard.UserActive, crmguard.UserDisabled}, Confirmed: &yes}, []int{-1, 0, 4}},
		{"profile", crmguard.UserFilter{ProfileID: std.ID}, []int{4, 5}},
		{"unknown profile", crmguard.UserFilter{ProfileID: f.ids.New()}, nil},
		{"ids, unordered, with an unknown and another org's", crmguard.UserFilter{IDs: []crmguard.ID{users[5].ID, users[1].ID, 42, other.user.ID}}, []int{1, 5}},
		{"an empty ID list selects none", crmguard.UserFilter{IDs: []crmguard.ID{}}, nil},
		{"modified strictly after", crmguard.UserFilter{ModifiedAfter: f.at(4 * time.Second)}, []int{4, 5}},
		{"modified after, between milliseconds", crmguard.UserFilter{ModifiedAfter: f.at(4*time.Second - time.Microsecond)}, []int{3, 4, 5}},
		{"every field", crmguard.UserFilter{Statuses: []string{crmguard.UserActive, crmguard.UserDisabled}, Confirmed: &yes,
			ProfileID: std.ID, IDs: []crmguard.ID{users[4].ID, users[5].ID, users[0].ID}, ModifiedAfter: f.now}, []int{4}},
	} {
		var want []crmguard.ID
		for _, i := range c.want {
			if i < 0 {
				want = append(want, f.user.ID)
			} else {
				want = append(want, users[i].ID)
			}
		}
		slices.Sort(want)
		ids, err := s.ListUserIDs(f.ctx, f.org.ID, c.filter)
		if err != nil || fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("ListUserIDs %s: %v, %v; want %v", c.name, ids, err, want)
		}
		var walked []*crmguard.User
		err = s.EachUser(f.ctx, f.org.ID, c.filter, func(u *crmguard.User) error { walked = append(walked, u); return nil })
		if got := idsOf(walked, userID); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("EachUser %s: %v, %v; want %v", c.name, got, err, want)
		}
	}
	// EachUser hands over whole users.
	var got []*crmguard.User
	must(t, s.EachUser(f.ctx, f.org.ID, crmguard.UserFilter{ProfileID: std.ID}, func(u *crmguard.User) error {
		got = append(got, u)
		return nil
	}), "EachUser")
	same(t, "users EachUser reads", got, users[4:])
}

// testEachUserStops: an error from fn ends the walk and is returned.
func testEachUserStops(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	for i := range 5 {
		f.addUser(f.tenant, fmt.Sprintf("u%d@x.test", i))
	}
	stop := errors.New("stop")
	calls := 0
	err := s.EachUser(f.ctx, f.org.ID, crmguard.UserFilter{}, func(*crmguard.User) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Errorf("EachUser whose fn fails on the second user: %v after %d calls; want the error after 2", err, calls)
	}
	// The store still works after a walk that stopped early.
	if n, err := s.CountUsers(f.ctx, f.org.ID, ""); err != nil || n != 6 {
		t.Errorf("CountUsers after a stopped walk: %d, %v", n, err)
	}
}

func testGetUsers(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	var users []*crmguard.User
	for i := range 4 {
		users = append(users, fullUser(f, fmt.Sprintf("u%d@x.test", i)))
		users[i].InviteHash = hash(users[i].Email)
	}
	must(t, s.CreateUsers(f.ctx, users), "CreateUsers")
	other := f.addTenant("Other", "o@other.test")
	got, err := s.GetUsers(f.ctx, f.org.ID, []crmguard.ID{users[3].ID, other.user.ID, users[0].ID, 7, users[2].ID})
	must(t, err, "GetUsers")
	same(t, "GetUsers (ascending by ID, unknown and other orgs' IDs left out)", got, []*crmguard.User{users[0], users[2], users[3]})
	for name, ids := range map[string][]crmguard.ID{"none": nil, "empty": {}, "unknown only": {7, 8}} {
		if got, err := s.GetUsers(f.ctx, f.org.ID, ids); err != nil || len(got) != 0 {
			t.Errorf("GetUsers of %s: %v, %v", name, idsOf(got, userID), err)
		}
	}
}

// testGetUsersPages: pages of a user list, dense or sparse, sorted or
// not, give exactly the users asked for, in ID order.
func testGetUsersPages(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	var users []*crmguard.User
	var unknown crmguard.ID // between users[40] and users[41], no user's
	for i := range 120 {
		if i == 41 {
			unknown = f.ids.New()
		}
		users = append(users, f.newUser(f.tenant, fmt.Sprintf("p%d@example.com", i)))
	}
	must(t, s.CreateUsers(f.ctx, users), "CreateUsers")
	if !(users[40].ID < unknown && unknown < users[41].ID) {
		t.Fatalf("the unknown ID %d is not between %d and %d", unknown, users[40].ID, users[41].ID)
	}
	pick := func(step int) []crmguard.ID {
		var ids []crmguard.ID
		for i := 0; i < len(users); i += step {
			ids = append(ids, users[i].ID)
		}
		return ids
	}
	for _, c := range []struct {
		name string
		ids  []crmguard.ID
		want int
	}{
		{"dense", pick(1)[10:60], 50},
		{"dense with a gap and an unknown ID", append(pick(1)[0:30:30], users[40].ID, unknown, users[41].ID), 32},
		{"sparse", pick(5), 24},
		{"unsorted", []crmguard.ID{users[50].ID, users[3].ID, users[20].ID}, 3},
		{"every one, and the fixture's user", append(pick(1), f.user.ID), 121},
	} {
		got, err := s.GetUsers(f.ctx, f.org.ID, c.ids)
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
