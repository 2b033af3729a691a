package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var territoryTests = []test{
	{"RoundTrip", testTerritoryRoundTrip},
	{"NameAnyCase", testTerritoryNames},
	{"Update", testTerritoryUpdate},
	{"Members", testTerritoryMembers},
}

func territoryID(tr *crmguard.Territory) crmguard.ID { return tr.ID }

func (f *fx) newTerritory(name string, parent crmguard.ID) *crmguard.Territory {
	return &crmguard.Territory{ID: f.ids.New(), OrgID: f.org.ID, Name: name, Description: "about " + name,
		ReportingTo: parent, Manager: f.user.ID, PermissionType: crmguard.TerritoryReadOnly, CreatedBy: f.user.ID,
		ModifiedBy: f.user.ID, CreatedTime: f.now, ModifiedTime: f.at(time.Second)}
}

func (f *fx) addTerritory(name string, parent crmguard.ID) *crmguard.Territory {
	f.t.Helper()
	tr := f.newTerritory(name, parent)
	must(f.t, f.s.CreateTerritory(f.ctx, tr), "CreateTerritory "+name)
	return tr
}

func testTerritoryRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	root := f.addTerritory("Root", 0)
	east := f.addTerritory("East", root.ID)
	got, err := s.GetTerritory(f.ctx, f.org.ID, east.ID)
	must(t, err, "GetTerritory")
	same(t, "territory read back", got, east)
	list, err := s.ListTerritories(f.ctx, f.org.ID)
	must(t, err, "ListTerritories")
	same(t, "ListTerritories", byID(list, territoryID), []*crmguard.Territory{root, east})
	other := f.addTenant("Other", "o@other.test")
	_, err = s.GetTerritory(f.ctx, other.org.ID, east.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetTerritory through another org")
	if list, err := s.ListTerritories(f.ctx, other.org.ID); err != nil || len(list) != 0 {
		t.Errorf("ListTerritories of another org: %v, %v", list, err)
	}
	dup := *east
	dup.Name = "Elsewhere"
	wantErr(t, s.CreateTerritory(f.ctx, &dup), crmguard.ErrConflict, "CreateTerritory with a used ID")
}

func testTerritoryNames(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	f.addTerritory("East", 0)
	wantErr(t, s.CreateTerritory(f.ctx, f.newTerritory("EAST", 0)), crmguard.ErrConflict, "CreateTerritory with a used name in another case")
	west := f.addTerritory("West", 0)
	west.Name = "east"
	wantErr(t, s.UpdateTerritory(f.ctx, west), crmguard.ErrConflict, "UpdateTerritory to a used name in another case")
	// Another org may use the name.
	other := f.addTenant("Other", "o@other.test")
	tr := f.newTerritory("East", 0)
	tr.OrgID = other.org.ID
	must(t, s.CreateTerritory(f.ctx, tr), "CreateTerritory of a name another org uses")
}

func testTerritoryUpdate(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	root, other := f.addTerritory("Root", 0), f.addTerritory("Other", 0)
	tr := f.addTerritory("East", root.ID)
	want := *tr
	want.Name, want.Description, want.ReportingTo, want.Manager = "Eastern", "", other.ID, 0
	want.PermissionType, want.ModifiedBy, want.ModifiedTime = crmguard.TerritoryReadWriteDelete, f.ids.New(), f.at(time.Hour)
	up := want
	up.CreatedBy, up.CreatedTime = f.ids.New(), f.at(-time.Hour) // not written
	must(t, s.UpdateTerritory(f.ctx, &up), "UpdateTerritory")
	got, err := s.GetTerritory(f.ctx, f.org.ID, tr.ID)
	must(t, err, "GetTerritory")
	same(t, "territory after UpdateTerritory", got, &want)
	gone := want
	gone.ID = f.ids.New()
	wantErr(t, s.UpdateTerritory(f.ctx, &gone), crmguard.ErrNotFound, "UpdateTerritory of an unknown ID")
}

func testTerritoryMembers(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	east, west, north := f.addTerritory("East", 0), f.addTerritory("West", 0), f.addTerritory("North", 0)
	bob, cy := f.addUser(f.tenant, "bob@x.test"), f.addUser(f.tenant, "cy@x.test")
	// Added out of order: the IDs come back ascending.
	for _, u := range []*crmguard.User{cy, f.user, bob} {
		must(t, s.AddTerritoryUser(f.ctx, f.org.ID, east.ID, u.ID), "AddTerritoryUser")
	}
	must(t, s.AddTerritoryUser(f.ctx, f.org.ID, west.ID, f.user.ID), "AddTerritoryUser")
	must(t, s.AddTerritoryUser(f.ctx, f.org.ID, north.ID, bob.ID), "AddTerritoryUser")
	wantErr(t, s.AddTerritoryUser(f.ctx, f.org.ID, east.ID, bob.ID), crmguard.ErrConflict, "AddTerritoryUser of a member")

	want := []crmguard.ID{f.user.ID, bob.ID, cy.ID}
	slices.Sort(want)
	ids, err := s.ListTerritoryUserIDs(f.ctx, f.org.ID, east.ID)
	must(t, err, "ListTerritoryUserIDs")
	same(t, "ListTerritoryUserIDs (ascending)", ids, want)
	mine, err := s.ListUserTerritories(f.ctx, f.org.ID, f.user.ID)
	must(t, err, "ListUserTerritories")
	same(t, "ListUserTerritories", byID(mine, territoryID), []*crmguard.Territory{east, west})

	must(t, s.RemoveTerritoryUser(f.ctx, f.org.ID, east.ID, cy.ID), "RemoveTerritoryUser")
	wantErr(t, s.RemoveTerritoryUser(f.ctx, f.org.ID, east.ID, cy.ID), crmguard.ErrNotFound, "second RemoveTerritoryUser")
	wantErr(t, s.RemoveTerritoryUser(f.ctx, f.org.ID, north.ID, f.user.ID), crmguard.ErrNotFound, "RemoveTerritoryUser of a non-member")
	other := f.addTenant("Other", "o@other.test")
	wantErr(t, s.RemoveTerritoryUser(f.ctx, other.org.ID, east.ID, bob.ID), crmguard.ErrNotFound, "RemoveTerritoryUser through another org")
	if cys, err := s.ListUserTerritories(f.ctx, f.org.ID, cy.ID); err != nil || len(cys) != 0 {
		t.Errorf("territories of a removed member: %v, %v", cys, err)
	}

	// A deleted territory takes its memberships with it.
	must(t, s.DeleteTerritory(f.ctx, f.org.ID, east.ID), "DeleteTerritory")
	_, err = s.GetTerritory(f.ctx, f.org.ID, east.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetTerritory after the delete")
	wantErr(t, s.DeleteTerritory(f.ctx, f.org.ID, east.ID), crmguard.ErrNotFound, "second DeleteTerritory")
	if ids, err := s.ListTerritoryUserIDs(f.ctx, f.org.ID, east.ID); err != nil || len(ids) != 0 {
		t.Errorf("members of a deleted territory: %v, %v", ids, err)
	}
	mine, err = s.ListUserTerritories(f.ctx, f.org.ID, f.user.ID)
	must(t, err, "ListUserTerritories")
	same(t, "ListUserTerritories after the delete", mine, []*crmguard.Territory{west})
	// A territory made again with the same name and ID has no members.
	must(t, s.CreateTerritory(f.ctx, east), "CreateTerritory again")
	if ids, err := s.ListTerritoryUserIDs(f.ctx, f.org.ID, east.ID); err != nil || len(ids) != 0 {
		t.Errorf("members of a territory made again: %v, %v", ids, err)
	}
}
