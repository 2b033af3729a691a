package storetest

import (
	"testing"

	"github.com/crmguard/crmguard"
)

// Names and e-mails are unique in any case, and "any case" is not only
// ASCII: Zoho orgs name their roles and teams in their own languages.
var unicodeTests = []test{
	{"Profile", testUnicodeProfile},
	{"Role", testUnicodeRole},
	{"Territory", testUnicodeTerritory},
	{"UserGroup", testUnicodeGroup},
	{"UserEmail", testUnicodeEmail},
	{"Field", testUnicodeField},
}

// The same name in two cases, differing outside ASCII.
const lowerName, upperName = "équipe ölçü", "ÉQUIPE ÖLÇÜ"

func testUnicodeProfile(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	f.addProfile(f.org.ID, lowerName)
	p := &crmguard.Profile{ID: f.ids.New(), OrgID: f.org.ID, Name: upperName, DisplayLabel: upperName,
		Type: crmguard.ProfileNormal, CreatedTime: f.now, ModifiedTime: f.now}
	wantErr(t, s.CreateProfile(f.ctx, p), crmguard.ErrConflict, "CreateProfile of a used name in another (non-ASCII) case")
	if got, err := s.GetProfileByName(f.ctx, f.org.ID, upperName); err != nil || got.Name != lowerName {
		t.Errorf("GetProfileByName in another (non-ASCII) case: %+v, %v", got, err)
	}
}

func testUnicodeRole(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	f.addRole(f.org.ID, lowerName, 0)
	got, err := s.GetRoleByName(f.ctx, f.org.ID, upperName)
	if isNotFound(err) {
		t.Fatalf("GetRoleByName(%q) does not find role %q: the match folds ASCII case only (SQL lower())", upperName, lowerName)
	}
	if err != nil || got.Name != lowerName {
		t.Errorf("GetRoleByName in another (non-ASCII) case: %+v, %v", got, err)
	}
	r := &crmguard.Role{ID: f.ids.New(), OrgID: f.org.ID, Name: upperName, DisplayLabel: upperName, CreatedTime: f.now, ModifiedTime: f.now}
	err = s.CreateRole(f.ctx, r)
	if err == nil {
		t.Fatalf("CreateRole(%q) beside %q succeeded: the unique index folds ASCII case only (lower(name))", upperName, lowerName)
	}
	wantErr(t, err, crmguard.ErrConflict, "CreateRole of a used name in another (non-ASCII) case")
}

func testUnicodeTerritory(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	f.addTerritory(lowerName, 0)
	err := s.CreateTerritory(f.ctx, f.newTerritory(upperName, 0))
	if err == nil {
		t.Fatalf("CreateTerritory(%q) beside %q succeeded: the unique index folds ASCII case only (lower(name))", upperName, lowerName)
	}
	wantErr(t, err, crmguard.ErrConflict, "CreateTerritory of a used name in another (non-ASCII) case")
}

func testUnicodeGroup(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	must(t, s.CreateUserGroup(f.ctx, f.newGroup(lowerName)), "CreateUserGroup")
	err := s.CreateUserGroup(f.ctx, f.newGroup(upperName))
	if err == nil {
		t.Fatalf("CreateUserGroup(%q) beside %q succeeded: the unique index folds ASCII case only (lower(name))", upperName, lowerName)
	}
	wantErr(t, err, crmguard.ErrConflict, "CreateUserGroup of a used name in another (non-ASCII) case")
}

func testUnicodeEmail(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	u := f.addUser(f.tenant, "émile@exämple.test")
	wantErr(t, s.CreateUser(f.ctx, f.newUser(f.tenant, "ÉMILE@EXÄMPLE.TEST")), crmguard.ErrConflict,
		"CreateUser of a used e-mail in another (non-ASCII) case")
	if got, err := s.GetUserByEmail(f.ctx, f.org.ID, "Émile@Exämple.test"); err != nil || got.ID != u.ID {
		t.Errorf("GetUserByEmail in another (non-ASCII) case: %+v, %v", got, err)
	}
}

func testUnicodeField(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	must(t, s.CreateField(f.ctx, f.newField(crmguard.ModuleUsers, "Equipe", lowerName, true)), "CreateField")
	wantErr(t, s.CreateField(f.ctx, f.newField(crmguard.ModuleUsers, "Other", upperName, true)), crmguard.ErrConflict,
		"CreateField of a used label in another (non-ASCII) case")
}
