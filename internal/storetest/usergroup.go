package storetest

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var userGroupTests = []test{
	{"RoundTrip", testGroupRoundTrip},
	{"NameAnyCase", testGroupNames},
	{"Update", testGroupUpdate},
	{"Delete", testGroupDelete},
}

func (f *fx) newGroup(name string, sources ...crmguard.GroupSource) *crmguard.UserGroup {
	return &crmguard.UserGroup{ID: f.ids.New(), OrgID: f.org.ID, Name: name, Description: "about " + name,
		Sources: sources, CreatedBy: f.user.ID, ModifiedBy: f.user.ID, CreatedTime: f.now, ModifiedTime: f.at(time.Second)}
}

func testGroupRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	bob := f.addUser(f.tenant, "bob@x.test")
	sales := f.addRole(f.org.ID, "Sales", f.role.ID)
	// Sources in a deliberate order, neither by type nor by ID.
	g := f.newGroup("Team",
		crmguard.GroupSource{Type: crmguard.GroupSourceUsers, ID: bob.ID},
		crmguard.GroupSource{Type: crmguard.GroupSourceRoles, ID: sales.ID, Subordinates: true},
		crmguard.GroupSource{Type: crmguard.GroupSourceUsers, ID: f.user.ID},
		crmguard.GroupSource{Type: crmguard.GroupSourceRoles, ID: f.role.ID},
	)
	must(t, s.CreateUserGroup(f.ctx, g), "CreateUserGroup")
	empty := f.newGroup("Empty")
	must(t, s.CreateUserGroup(f.ctx, empty), "CreateUserGroup without sources")
	got, err := s.GetUserGroup(f.ctx, f.org.ID, g.ID)
	must(t, err, "GetUserGroup")
	same(t, "group read back", got, g)
	got, err = s.GetUserGroup(f.ctx, f.org.ID, empty.ID)
	must(t, err, "GetUserGroup")
	same(t, "group without sources", got, empty)
	list, err := s.ListUserGroups(f.ctx, f.org.ID)
	must(t, err, "ListUserGroups")
	same(t, "ListUserGroups (oldest first)", list, []*crmguard.UserGroup{g, empty})

	other := f.addTenant("Other", "o@other.test")
	_, err = s.GetUserGroup(f.ctx, other.org.ID, g.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetUserGroup through another org")
	if list, err := s.ListUserGroups(f.ctx, other.org.ID); err != nil || len(list) != 0 {
		t.Errorf("ListUserGroups of another org: %v, %v", list, err)
	}
	dup := *g
	dup.Name = "Other name"
	wantErr(t, s.CreateUserGroup(f.ctx, &dup), crmguard.ErrConflict, "CreateUserGroup with a used ID")
}

func testGroupNames(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	must(t, s.CreateUserGroup(f.ctx, f.newGroup("Team")), "CreateUserGroup")
	wantErr(t, s.CreateUserGroup(f.ctx, f.newGroup("tEAM")), crmguard.ErrConflict, "CreateUserGroup with a used name in another case")
	list, err := s.ListUserGroups(f.ctx, f.org.ID)
	if err != nil || len(list) != 1 {
		t.Errorf("groups after a refused create: %v, %v", list, err)
	}
	other := f.addTenant("Other", "o@other.test")
	g := f.newGroup("Team")
	g.OrgID = other.org.ID
	must(t, s.CreateUserGroup(f.ctx, g), "CreateUserGroup of a name another org uses")
}

func testGroupUpdate(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	bob := f.addUser(f.tenant, "bob@x.test")
	g := f.newGroup("Team",
		crmguard.GroupSource{Type: crmguard.GroupSourceUsers, ID: f.user.ID},
		crmguard.GroupSource{Type: crmguard.GroupSourceRoles, ID: f.role.ID, Subordinates: true})
	must(t, s.CreateUserGroup(f.ctx, g), "CreateUserGroup")
	want := *g
	want.Name, want.Description, want.ModifiedBy, want.ModifiedTime = "Team B", "renamed", bob.ID, f.at(time.Hour)
	want.Sources = []crmguard.GroupSource{
		{Type: crmguard.GroupSourceRoles, ID: f.role.ID},
		{Type: crmguard.GroupSourceUsers, ID: bob.ID},
	}
	up := want
	up.CreatedBy, up.CreatedTime = f.ids.New(), f.at(-time.Hour) // not written
	must(t, s.UpdateUserGroup(f.ctx, &up), "UpdateUserGroup")
	got, err := s.GetUserGroup(f.ctx, f.org.ID, g.ID)
	must(t, err, "GetUserGroup")
	same(t, "group after UpdateUserGroup", got, &want)

	want.Sources = nil
	must(t, s.UpdateUserGroup(f.ctx, &want), "UpdateUserGroup to no sources")
	got, err = s.GetUserGroup(f.ctx, f.org.ID, g.ID)
	must(t, err, "GetUserGroup")
	same(t, "group after its sources were removed", got, &want)
	gone := want
	gone.ID = f.ids.New()
	wantErr(t, s.UpdateUserGroup(f.ctx, &gone), crmguard.ErrNotFound, "UpdateUserGroup of an unknown ID")
}

func testGroupDelete(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	g := f.newGroup("Team", crmguard.GroupSource{Type: crmguard.GroupSourceUsers, ID: f.user.ID})
	keep := f.newGroup("Keep", crmguard.GroupSource{Type: crmguard.GroupSourceUsers, ID: f.user.ID})
	must(t, s.CreateUserGroup(f.ctx, g), "CreateUserGroup")
	must(t, s.CreateUserGroup(f.ctx, keep), "CreateUserGroup")
	other := f.addTenant("Other", "o@other.test")
	wantErr(t, s.DeleteUserGroup(f.ctx, other.org.ID, g.ID), crmguard.ErrNotFound, "DeleteUserGroup through another org")
	must(t, s.DeleteUserGroup(f.ctx, f.org.ID, g.ID), "DeleteUserGroup")
	_, err := s.GetUserGroup(f.ctx, f.org.ID, g.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetUserGroup after the delete")
	wantErr(t, s.DeleteUserGroup(f.ctx, f.org.ID, g.ID), crmguard.ErrNotFound, "second DeleteUserGroup")
	list, err := s.ListUserGroups(f.ctx, f.org.ID)
	must(t, err, "ListUserGroups")
	same(t, "ListUserGroups after the delete", list, []*crmguard.UserGroup{keep})
	// The name is free again, and the new group starts with its own sources.
	again := f.newGroup("team")
	must(t, s.CreateUserGroup(f.ctx, again), "CreateUserGroup with a deleted group's name")
	got, err := s.GetUserGroup(f.ctx, f.org.ID, again.ID)
	must(t, err, "GetUserGroup")
	same(t, "group made with a deleted group's name", got, again)
}
