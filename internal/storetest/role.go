package storetest

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var roleTests = []test{
	{"RoundTrip", testRoleRoundTrip},
	{"ByNameAnyCase", testRoleByName},
	{"Update", testRoleUpdate},
	{"DeleteAndReassign", testRoleDelete},
}

func roleID(r *crmguard.Role) crmguard.ID { return r.ID }

func testRoleRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	r := &crmguard.Role{ID: f.ids.New(), OrgID: f.org.ID, Name: "Manager", DisplayLabel: "Manager (EU)",
		Description: "manages", ReportingTo: f.role.ID, ShareWithPeer: true, AdminUser: true, ForecastManager: f.user.ID,
		CreatedBy: f.user.ID, ModifiedBy: f.ids.New(), CreatedTime: f.now, ModifiedTime: f.at(time.Second)}
	must(t, s.CreateRole(f.ctx, r), "CreateRole")
	got, err := s.GetRole(f.ctx, f.org.ID, r.ID)
	must(t, err, "GetRole")
	same(t, "role read back", got, r)
	list, err := s.ListRoles(f.ctx, f.org.ID)
	must(t, err, "ListRoles")
	same(t, "ListRoles", byID(list, roleID), byID([]*crmguard.Role{f.role, r}, roleID))

	other := f.addTenant("Other", "o@other.test")
	_, err = s.GetRole(f.ctx, other.org.ID, r.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetRole through another org")
	_, err = s.GetRole(f.ctx, f.org.ID, f.ids.New())
	wantErr(t, err, crmguard.ErrNotFound, "GetRole of an unknown ID")
	dup := *r
	dup.Name = "Another"
	wantErr(t, s.CreateRole(f.ctx, &dup), crmguard.ErrConflict, "CreateRole with a used ID")
}

func testRoleByName(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	got, err := s.GetRoleByName(f.ctx, f.org.ID, "ceo")
	must(t, err, "GetRoleByName in another case")
	same(t, "GetRoleByName", got, f.role)
	_, err = s.GetRoleByName(f.ctx, f.org.ID, "Nobody")
	wantErr(t, err, crmguard.ErrNotFound, "GetRoleByName of an unknown name")
	dup := *f.role
	dup.ID, dup.Name = f.ids.New(), "Ceo"
	wantErr(t, s.CreateRole(f.ctx, &dup), crmguard.ErrConflict, "CreateRole with a used name in another case")
	other := f.addTenant("Other", "o@other.test")
	if got, err := s.GetRoleByName(f.ctx, other.org.ID, "CEO"); err != nil || got.ID != other.role.ID {
		t.Errorf("GetRoleByName in another org: %+v, %v", got, err)
	}
}

func testRoleUpdate(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	r := f.addRole(f.org.ID, "Sales", f.role.ID)
	mgr := f.addRole(f.org.ID, "Managers", f.role.ID)
	want := *r
	want.Name, want.Description = "Sales EU", "sells in Europe"
	want.ReportingTo, want.ShareWithPeer, want.ForecastManager = mgr.ID, true, f.user.ID
	want.ModifiedBy, want.ModifiedTime = f.user.ID, f.at(time.Hour)
	up := want
	// Not written: what the role was made with, and the admin flag.
	up.CreatedBy, up.CreatedTime, up.AdminUser = f.ids.New(), f.at(-time.Hour), true
	must(t, s.UpdateRole(f.ctx, &up), "UpdateRole")
	got, err := s.GetRole(f.ctx, f.org.ID, r.ID)
	must(t, err, "GetRole")
	same(t, "role after UpdateRole", got, &want)

	clash := want
	clash.Name = "MANAGERS"
	wantErr(t, s.UpdateRole(f.ctx, &clash), crmguard.ErrConflict, "UpdateRole to another role's name in another case")
	gone := want
	gone.ID = f.ids.New()
	wantErr(t, s.UpdateRole(f.ctx, &gone), crmguard.ErrNotFound, "UpdateRole of an unknown ID")
}

func testRoleDelete(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	from, to := f.addRole(f.org.ID, "From", f.role.ID), f.addRole(f.org.ID, "To", f.role.ID)
	child1, child2 := f.addRole(f.org.ID, "Child 1", from.ID), f.addRole(f.org.ID, "Child 2", from.ID)
	var moved []*crmguard.User
	for _, e := range []string{"a@x.test", "b@x.test", "c@x.test"} {
		u := f.newUser(f.tenant, e)
		u.RoleID = from.ID
		must(t, s.CreateUser(f.ctx, u), "CreateUser")
		moved = append(moved, u)
	}
	other := f.addTenant("Other", "o@other.test")

	if err := s.DeleteRole(f.ctx, f.org.ID, from.ID); err == nil {
		t.Error("DeleteRole of a role three users have succeeded")
	}
	users, roles, err := s.ReassignRole(f.ctx, f.org.ID, from.ID, to.ID, f.user.ID, f.at(time.Minute))
	if err != nil || users != 3 || roles != 2 {
		t.Errorf("ReassignRole = %d users, %d roles, %v; want 3 and 2", users, roles, err)
	}
	for _, u := range moved {
		if got, err := s.GetUser(f.ctx, f.org.ID, u.ID); err != nil || got.RoleID != to.ID {
			t.Errorf("user %s after ReassignRole: %+v, %v", u.Email, got, err)
		}
	}
	for _, r := range []*crmguard.Role{child1, child2} {
		if got, err := s.GetRole(f.ctx, f.org.ID, r.ID); err != nil || got.ReportingTo != to.ID {
			t.Errorf("role %s after ReassignRole: %+v, %v", r.Name, got, err)
		}
	}
	if got, _ := s.GetRole(f.ctx, f.org.ID, to.ID); got == nil || got.ReportingTo != f.role.ID {
		t.Errorf("the target role's own line changed: %+v", got)
	}
	if got, _ := s.GetUser(f.ctx, other.org.ID, other.user.ID); got == nil || got.RoleID != other.role.ID {
		t.Errorf("a user of another org moved: %+v", got)
	}
	if users, roles, err := s.ReassignRole(f.ctx, f.org.ID, from.ID, to.ID, f.user.ID, f.now); err != nil || users != 0 || roles != 0 {
		t.Errorf("second ReassignRole = %d, %d, %v; want 0, 0", users, roles, err)
	}
	wantErr(t, s.DeleteRole(f.ctx, other.org.ID, from.ID), crmguard.ErrNotFound, "DeleteRole through another org")
	must(t, s.DeleteRole(f.ctx, f.org.ID, from.ID), "DeleteRole")
	_, err = s.GetRole(f.ctx, f.org.ID, from.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetRole after the delete")
	wantErr(t, s.DeleteRole(f.ctx, f.org.ID, from.ID), crmguard.ErrNotFound, "second DeleteRole")
	f.addRole(f.org.ID, "FROM", 0) // the name is free again
}
