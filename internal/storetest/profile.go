package storetest

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var profileTests = []test{
	{"RoundTrip", testProfileRoundTrip},
	{"ByNameAnyCase", testProfileByName},
	{"Update", testProfileUpdate},
	{"DeleteAndReassign", testProfileDelete},
}

func profileID(p *crmguard.Profile) crmguard.ID { return p.ID }

func testProfileRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	// The top bit of each word, as a bigint column keeps it signed.
	perms := crmguard.PermSet{1<<63 | 1, 1<<63 | 1<<26}
	p := &crmguard.Profile{ID: f.ids.New(), OrgID: f.org.ID, Name: "Sales Rep", DisplayLabel: "Sales Rep (EU)",
		Description: "sells", Type: crmguard.ProfileLite, Custom: true, Default: true, Permissions: perms,
		CreatedBy: f.user.ID, ModifiedBy: f.ids.New(), CreatedTime: f.now, ModifiedTime: f.at(time.Second)}
	must(t, s.CreateProfile(f.ctx, p), "CreateProfile")
	got, err := s.GetProfile(f.ctx, f.org.ID, p.ID)
	must(t, err, "GetProfile")
	same(t, "profile read back", got, p)
	got, err = s.GetProfile(f.ctx, f.org.ID, f.profile.ID)
	must(t, err, "GetProfile")
	same(t, "profile with every permission", got, f.profile)
	list, err := s.ListProfiles(f.ctx, f.org.ID)
	must(t, err, "ListProfiles")
	same(t, "ListProfiles", byID(list, profileID), byID([]*crmguard.Profile{f.profile, p}, profileID))

	other := f.addTenant("Other", "o@other.test")
	_, err = s.GetProfile(f.ctx, other.org.ID, p.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetProfile through another org")
	_, err = s.GetProfile(f.ctx, f.org.ID, f.ids.New())
	wantErr(t, err, crmguard.ErrNotFound, "GetProfile of an unknown ID")
	dup := *p
	dup.Name = "Another"
	wantErr(t, s.CreateProfile(f.ctx, &dup), crmguard.ErrConflict, "CreateProfile with a used ID")
}

func testProfileByName(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	got, err := s.GetProfileByName(f.ctx, f.org.ID, "aDMINISTRATOR")
	must(t, err, "GetProfileByName in another case")
	same(t, "GetProfileByName", got, f.profile)
	_, err = s.GetProfileByName(f.ctx, f.org.ID, "Nobody")
	wantErr(t, err, crmguard.ErrNotFound, "GetProfileByName of an unknown name")
	dup := *f.profile
	dup.ID, dup.Name = f.ids.New(), "ADMINISTRATOR"
	wantErr(t, s.CreateProfile(f.ctx, &dup), crmguard.ErrConflict, "CreateProfile with a used name in another case")
	// Names are unique per org: another org has its own Administrator.
	other := f.addTenant("Other", "o@other.test")
	got, err = s.GetProfileByName(f.ctx, other.org.ID, crmguard.ProfileAdministrator)
	must(t, err, "GetProfileByName in another org")
	if got.ID != other.profile.ID {
		t.Errorf("GetProfileByName in another org found %v, want %v", got.ID, other.profile.ID)
	}
}

func testProfileUpdate(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	p := f.addProfile(f.org.ID, "Standard")
	want := *p
	want.Name, want.Description = "Standard Plus", "more"
	want.Permissions = crmguard.PermSet{0xff, 1 << 3}
	want.ModifiedBy, want.ModifiedTime = f.user.ID, f.at(time.Hour)
	up := want
	// UpdateProfile writes name, description, permissions and modified_*:
	// not what the profile was made with.
	up.CreatedBy, up.CreatedTime, up.Custom, up.Default, up.Type = f.ids.New(), f.at(-time.Hour), true, true, crmguard.ProfilePortal
	must(t, s.UpdateProfile(f.ctx, &up), "UpdateProfile")
	got, err := s.GetProfile(f.ctx, f.org.ID, p.ID)
	must(t, err, "GetProfile")
	same(t, "profile after UpdateProfile", got, &want)

	clash := want
	clash.Name = "administrator"
	wantErr(t, s.UpdateProfile(f.ctx, &clash), crmguard.ErrConflict, "UpdateProfile to another profile's name in another case")
	gone := want
	gone.ID = f.ids.New()
	wantErr(t, s.UpdateProfile(f.ctx, &gone), crmguard.ErrNotFound, "UpdateProfile of an unknown ID")
}

func testProfileDelete(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	from, to := f.addProfile(f.org.ID, "From"), f.addProfile(f.org.ID, "To")
	var moved []*crmguard.User
	for _, e := range []string{"a@x.test", "b@x.test"} {
		u := f.newUser(f.tenant, e)
		u.ProfileID = from.ID
		must(t, s.CreateUser(f.ctx, u), "CreateUser")
		moved = append(moved, u)
	}
	other := f.addTenant("Other", "o@other.test")

	if err := s.DeleteProfile(f.ctx, f.org.ID, from.ID); err == nil {
		t.Error("DeleteProfile of a profile two users have succeeded")
	}
	if _, err := s.GetProfile(f.ctx, f.org.ID, from.ID); err != nil {
		t.Errorf("profile after a refused delete: %v", err)
	}
	n, err := s.ReassignProfile(f.ctx, f.org.ID, from.ID, to.ID, f.user.ID, f.at(time.Minute))
	if err != nil || n != 2 {
		t.Errorf("ReassignProfile = %d, %v; want 2", n, err)
	}
	for _, u := range moved {
		got, err := s.GetUser(f.ctx, f.org.ID, u.ID)
		must(t, err, "GetUser")
		if got.ProfileID != to.ID {
			t.Errorf("user %s has profile %v after ReassignProfile, want %v", u.Email, got.ProfileID, to.ID)
		}
	}
	if got, _ := s.GetUser(f.ctx, f.org.ID, f.user.ID); got == nil || got.ProfileID != f.profile.ID {
		t.Errorf("a user of another profile moved: %+v", got)
	}
	if got, _ := s.GetUser(f.ctx, other.org.ID, other.user.ID); got == nil || got.ProfileID != other.profile.ID {
		t.Errorf("a user of another org moved: %+v", got)
	}
	if n, err := s.ReassignProfile(f.ctx, f.org.ID, from.ID, to.ID, f.user.ID, f.now); err != nil || n != 0 {
		t.Errorf("second ReassignProfile = %d, %v; want 0", n, err)
	}
	wantErr(t, s.DeleteProfile(f.ctx, other.org.ID, from.ID), crmguard.ErrNotFound, "DeleteProfile through another org")
	must(t, s.DeleteProfile(f.ctx, f.org.ID, from.ID), "DeleteProfile")
	_, err = s.GetProfile(f.ctx, f.org.ID, from.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetProfile after the delete")
	wantErr(t, s.DeleteProfile(f.ctx, f.org.ID, from.ID), crmguard.ErrNotFound, "second DeleteProfile")
	// The name is free again.
	f.addProfile(f.org.ID, "from")
}
