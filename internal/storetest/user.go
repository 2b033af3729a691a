package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var userTests = []test{
	{"RoundTrip", testUserRoundTrip},
	{"ZUID", testUserZUID},
	{"EmailAnyCase", testUserEmail},
	{"Update", testUserUpdate},
	{"ListAndCount", testUserListCount},
	{"Bulk", testUserBulk},
	{"Invite", testUserInvite},
	{"ConcurrentEmail", testUserConcurrentEmail},
}

func userID(u *crmguard.User) crmguard.ID { return u.ID }

// fullUser sets every field of a user.
func fullUser(f *fx, email string) *crmguard.User {
	return &crmguard.User{ID: f.ids.New(), OrgID: f.org.ID, Email: email, FirstName: "Zoë", LastName: "O'Brien",
		RoleID: f.role.ID, ProfileID: f.profile.ID, Status: crmguard.UserDisabled, Confirmed: true,
		TimeZone: "Europe/Paris", Locale: "fr_FR", ReportingTo: f.user.ID,
		Extra: map[string]json.RawMessage{"city": json.RawMessage(`"Lyon"`), "Score": json.RawMessage(`7`),
			"Tags": json.RawMessage(`["a","b"]`), "Flag": json.RawMessage(`true`)},
		PasswordHash: "$2a$10$abcdefghijklmnopqrstuv", MustChangePassword: true,
		InviteHash: hash("invite " + email), InviteExpires: f.at(72 * time.Hour),
		CreatedBy: f.user.ID, ModifiedBy: f.user.ID, CreatedTime: f.now, ModifiedTime: f.at(time.Second)}
}

func testUserRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	u := fullUser(f, "Zoe@Example.com")
	must(t, s.CreateUser(f.ctx, u), "CreateUser")
	got, err := s.GetUser(f.ctx, f.org.ID, u.ID)
	must(t, err, "GetUser")
	same(t, "user read back", got, u)
	// The fixture's user: no extra fields, no password, no invitation.
	got, err = s.GetUser(f.ctx, f.org.ID, f.user.ID)
	must(t, err, "GetUser")
	same(t, "user with the optional fields unset", got, f.user)
	other := f.addTenant("Other", "o@other.test")
	_, err = s.GetUser(f.ctx, other.org.ID, u.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetUser through another org")
	_, err = s.GetUser(f.ctx, f.org.ID, f.ids.New())
	wantErr(t, err, crmguard.ErrNotFound, "GetUser of an unknown ID")
	dup := fullUser(f, "new@example.com")
	dup.ID = u.ID
	wantErr(t, s.CreateUser(f.ctx, dup), crmguard.ErrConflict, "CreateUser with a used ID")
}

// testUserZUID: the store numbers users from 700000001 up, as it inserts
// them, one at a time or in bulk, and a write never changes the number.
func testUserZUID(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	if f.user.ZUID != 700000001 {
		t.Errorf("first user's ZUID = %d, want 700000001", f.user.ZUID)
	}
	bob := f.addUser(f.tenant, "bob@x.test")
	bulk := []*crmguard.User{f.newUser(f.tenant, "c@x.test"), f.newUser(f.tenant, "d@x.test")}
	must(t, s.CreateUsers(f.ctx, bulk), "CreateUsers")
	other := f.addTenant("Other", "o@other.test")
	seen := map[int64]bool{}
	for _, u := range []*crmguard.User{f.user, bob, bulk[0], bulk[1], other.user} {
		if u.ZUID < 700000001 || seen[u.ZUID] {
			t.Errorf("user %s got ZUID %d: want a new one from 700000001 up", u.Email, u.ZUID)
		}
		seen[u.ZUID] = true
		got, err := s.GetUser(f.ctx, u.OrgID, u.ID)
		must(t, err, "GetUser")
		if got.ZUID != u.ZUID {
			t.Errorf("user %s reads back ZUID %d, CreateUser set %d", u.Email, got.ZUID, u.ZUID)
		}
	}
	if bob.ZUID <= f.user.ZUID || bulk[0].ZUID <= bob.ZUID || bulk[1].ZUID <= bulk[0].ZUID {
		t.Errorf("ZUIDs not increasing in insert order: %d %d %d %d", f.user.ZUID, bob.ZUID, bulk[0].ZUID, bulk[1].ZUID)
	}
	up := *bob
	up.ZUID, up.FirstName = 1, "Bob"
	must(t, s.UpdateUser(f.ctx, &up), "UpdateUser")
	if got, err := s.GetUser(f.ctx, f.org.ID, bob.ID); err != nil || got.ZUID != bob.ZUID {
		t.Errorf("ZUID after UpdateUser: %+v, %v; want %d", got, err, bob.ZUID)
	}
}

func testUserEmail(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	got, err := s.GetUserByEmail(f.ctx, f.org.ID, "aNN@eXAMPLE.COM")
	must(t, err, "GetUserByEmail in another case")
	same(t, "GetUserByEmail", got, f.user)
	if got.Email != "Ann@Example.com" {
		t.Errorf("e-mail read back as %q: the case as written is kept", got.Email)
	}
	_, err = s.GetUserByEmail(f.ctx, f.org.ID, "nobody@example.com")
	wantErr(t, err, crmguard.ErrNotFound, "GetUserByEmail of an unknown address")
	wantErr(t, s.CreateUser(f.ctx, f.newUser(f.tenant, "ANN@example.COM")), crmguard.ErrConflict,
		"CreateUser with a used e-mail in another case")
	// E-mails are unique per org.
	other := f.addTenant("Other", "ann@example.com")
	if got, err := s.GetUserByEmail(f.ctx, other.org.ID, "Ann@Example.com"); err != nil || got.ID != other.user.ID {
		t.Errorf("GetUserByEmail in another org: %+v, %v", got, err)
	}
	// A deleted user frees the address: it is not found by it, and a new
	// user may take it.
	bob := f.addUser(f.tenant, "bob@x.test")
	bob.Status = crmguard.UserDeleted
	must(t, s.UpdateUser(f.ctx, bob), "UpdateUser to deleted")
	_, err = s.GetUserByEmail(f.ctx, f.org.ID, "bob@x.test")
	wantErr(t, err, crmguard.ErrNotFound, "GetUserByEmail of a deleted user")
	again := f.addUser(f.tenant, "BOB@x.test")
	if got, err := s.GetUserByEmail(f.ctx, f.org.ID, "bob@x.test"); err != nil || got.ID != again.ID {
		t.Errorf("GetUserByEmail after the address was taken again: %+v, %v", got, err)
	}
	if got, err := s.GetUser(f.ctx, f.org.ID, bob.ID); err != nil || got.Email != "bob@x.test" {
		t.Errorf("the deleted user keeps its e-mail: %+v, %v", got, err)
	}
}

func testUserUpdate(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	sales := f.addRole(f.org.ID, "Sales", f.role.ID)
	std := f.addProfile(f.org.ID, "Standard")
	boss := f.addUser(f.tenant, "boss@x.test")
	u := fullUser(f, "zoe@example.com")
	must(t, s.CreateUser(f.ctx, u), "CreateUser")
	want := &crmguard.User{ID: u.ID, OrgID: u.OrgID, Email: "Zoe.New@Example.com", FirstName: "", LastName: "New",
		RoleID: sales.ID, ProfileID: std.ID, Status: crmguard.UserActive, Confirmed: false, TimeZone: "UTC", Locale: "en_GB",
		ReportingTo: boss.ID, ZUID: u.ZUID, Extra: map[string]json.RawMessage{"phone": json.RawMessage(`"+33 1"`)},
		PasswordHash: "new hash", MustChangePassword: false, CreatedBy: u.CreatedBy, ModifiedBy: boss.ID,
		CreatedTime: u.CreatedTime, ModifiedTime: f.at(time.Hour)}
	must(t, s.UpdateUser(f.ctx, want), "UpdateUser")
	got, err := s.GetUser(f.ctx, f.org.ID, u.ID)
	must(t, err, "GetUser")
	same(t, "user after UpdateUser (invitation and extra fields cleared)", got, want)

	// One field at a time, each of those an index or a foreign key covers
	// and one that none does: the row reads back as written, and the
	// lookups that go through an index find it by its new value only.
	for i, change := range []func(u *crmguard.User){
		func(u *crmguard.User) { u.Email = "zoe.third@example.com" },
		func(u *crmguard.User) { u.RoleID = f.role.ID },
		func(u *crmguard.User) { u.ProfileID = f.profile.ID },
		func(u *crmguard.User) { u.Status = crmguard.UserDisabled },
		func(u *crmguard.User) {
			u.InviteHash, u.InviteExpires = []byte("0123456789abcdef0123456789abcdef"), f.at(2*time.Hour)
		},
		func(u *crmguard.User) { u.Extra = map[string]json.RawMessage{"city": json.RawMessage(`"Lyon"`)} },
		func(u *crmguard.User) { u.InviteHash, u.InviteExpires = nil, time.Time{} },
		func(u *crmguard.User) { u.Status = crmguard.UserActive },
	} {
		before := *want
		next := *want
		change(&next)
		next.ModifiedTime = f.at(time.Duration(i+2) * time.Hour)
		must(t, s.UpdateUser(f.ctx, &next), "UpdateUser of one field")
		got, err := s.GetUser(f.ctx, f.org.ID, u.ID)
		must(t, err, "GetUser")
		same(t, fmt.Sprintf("user after changing field %d alone", i), got, &next)
		if got, err := s.GetUserByEmail(f.ctx, f.org.ID, next.Email); err != nil || got.ID != u.ID {
			t.Errorf("change %d: GetUserByEmail(%q): %+v, %v", i, next.Email, got, err)
		}
		if before.Email != next.Email {
			_, err := s.GetUserByEmail(f.ctx, f.org.ID, before.Email)
			wantErr(t, err, crmguard.ErrNotFound, "GetUserByEmail of the e-mail before")
		}
		for _, st := range []string{crmguard.UserActive, crmguard.UserDisabled} {
			ids, err := s.ListUserIDs(f.ctx, f.org.ID, crmguard.UserFilter{Statuses: []string{st}})
			must(t, err, "ListUserIDs by status")
			if slices.Contains(ids, u.ID) != (next.Status == st) {
				t.Errorf("change %d: status %s lists %v, the user is %s", i, st, ids, next.Status)
			}
		}
		ids, err := s.ListUserIDs(f.ctx, f.org.ID, crmguard.UserFilter{ModifiedAfter: next.ModifiedTime.Add(-time.Millisecond)})
		must(t, err, "ListUserIDs modified after")
		if !slices.Equal(ids, []crmguard.ID{u.ID}) {
			t.Errorf("change %d: modified after its time: %v, want only %d", i, ids, u.ID)
		}
		if next.InviteHash != nil {
			if got, err := s.GetUserByInvite(f.ctx, next.InviteHash); err != nil || got.ID != u.ID {
				t.Errorf("change %d: GetUserByInvite: %+v, %v", i, got, err)
			}
		} else if before.InviteHash != nil {
			_, err := s.GetUserByInvite(f.ctx, before.InviteHash)
			wantErr(t, err, crmguard.ErrNotFound, "GetUserByInvite of a cleared invitation")
		}
		want = &next
	}

	clash := *want
	clash.Email = "BOSS@x.test"
	wantErr(t, s.UpdateUser(f.ctx, &clash), crmguard.ErrConflict, "UpdateUser to a used e-mail in another case")
	gone := *want
	gone.ID, gone.Email = f.ids.New(), "gone@x.test"
	wantErr(t, s.UpdateUser(f.ctx, &gone), crmguard.ErrNotFound, "UpdateUser of an unknown ID")
	other := f.addTenant("Other", "o@other.test")
	moved := *want
	moved.OrgID, moved.RoleID, moved.ProfileID = other.org.ID, other.role.ID, other.profile.ID
	wantErr(t, s.UpdateUser(f.ctx, &moved), crmguard.ErrNotFound, "UpdateUser through another org")
}

func testUserListCount(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	users := []*crmguard.User{f.user}
	for i, st := range []string{crmguard.UserActive, crmguard.UserDisabled, crmguard.UserDisabled, crmguard.UserDeleted} {
		u := f.newUser(f.tenant, string(rune('a'+i))+"@x.test")
		u.Status = st
		must(t, s.CreateUser(f.ctx, u), "CreateUser")
		users = append(users, u)
	}
	other := f.addTenant("Other", "o@other.test")
	list, err := s.ListUsers(f.ctx, f.org.ID)
	must(t, err, "ListUsers")
	same(t, "ListUsers", byID(list, userID), byID(users, userID))
	if list, err := s.ListUsers(f.ctx, other.org.ID); err != nil || len(list) != 1 || list[0].ID != other.user.ID {
		t.Errorf("ListUsers of another org: %v, %v", idsOf(list, userID), err)
	}
	for st, want := range map[string]int{crmguard.UserActive: 2, crmguard.UserDisabled: 2, crmguard.UserDeleted: 1, "": 5} {
		if n, err := s.CountUsers(f.ctx, f.org.ID, st); err != nil || n != want {
			t.Errorf("CountUsers(%q) = %d, %v; want %d", st, n, err, want)
		}
	}
	if n, err := s.CountUsers(f.ctx, f.ids.New(), crmguard.UserActive); err != nil || n != 0 {
		t.Errorf("CountUsers of an org with none = %d, %v", n, err)
	}
}

func testUserBulk(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	var batch []*crmguard.User
	for i := range 50 {
		u := fullUser(f, "bulk"+string(rune('A'+i%26))+string(rune('a'+i/26))+"@x.test")
		u.InviteHash = hash(u.Email)
		batch = append(batch, u)
	}
	must(t, s.CreateUsers(f.ctx, batch), "CreateUsers")
	got, err := s.GetUsers(f.ctx, f.org.ID, idsOf(batch, userID))
	must(t, err, "GetUsers")
	same(t, "users inserted in bulk", got, batch)
	must(t, s.CreateUsers(f.ctx, nil), "CreateUsers of none")

	// A duplicate e-mail, in the batch or with a user already there, fails
	// the whole call.
	for name, emails := range map[string][]string{
		"within the batch":      {"new1@x.test", "dup@x.test", "DUP@x.test"},
		"with an existing user": {"new1@x.test", "new2@x.test", "ann@EXAMPLE.com"},
	} {
		var us []*crmguard.User
		for _, e := range emails {
			us = append(us, f.newUser(f.tenant, e))
		}
		wantErr(t, s.CreateUsers(f.ctx, us), crmguard.ErrConflict, "CreateUsers with a duplicate e-mail "+name)
		for _, u := range us[:2] {
			if _, err := s.GetUser(f.ctx, f.org.ID, u.ID); err == nil {
				t.Errorf("CreateUsers with a duplicate %s inserted %s", name, u.Email)
			}
		}
	}
	if n, err := s.CountUsers(f.ctx, f.org.ID, ""); err != nil || n != 51 {
		t.Errorf("users after the refused batches: %d, %v; want 51", n, err)
	}
}

func testUserInvite(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	u := fullUser(f, "zoe@example.com")
	must(t, s.CreateUser(f.ctx, u), "CreateUser")
	got, err := s.GetUserByInvite(f.ctx, u.InviteHash)
	must(t, err, "GetUserByInvite")
	same(t, "GetUserByInvite", got, u)
	_, err = s.GetUserByInvite(f.ctx, hash("unknown"))
	wantErr(t, err, crmguard.ErrNotFound, "GetUserByInvite of an unknown hash")
	// An invitation set later is found; one cleared is not.
	f.user.InviteHash, f.user.InviteExpires = hash("later"), f.at(time.Hour)
	must(t, s.UpdateUser(f.ctx, f.user), "UpdateUser")
	if got, err := s.GetUserByInvite(f.ctx, hash("later")); err != nil || got.ID != f.user.ID || !got.InviteExpires.Equal(f.at(time.Hour)) {
		t.Errorf("GetUserByInvite of an invitation set by UpdateUser: %+v, %v", got, err)
	}
	u.InviteHash, u.InviteExpires = nil, time.Time{}
	must(t, s.UpdateUser(f.ctx, u), "UpdateUser")
	_, err = s.GetUserByInvite(f.ctx, hash("invite zoe@example.com"))
	wantErr(t, err, crmguard.ErrNotFound, "GetUserByInvite of a cleared invitation")
}
