package storetest

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var fieldTests = []test{
	{"RoundTripAndOrder", testFields},
	{"NamesAnyCase", testFieldNames},
}

func (f *fx) newField(module, api, label string, custom bool) *crmguard.Field {
	return &crmguard.Field{ID: f.ids.New(), OrgID: f.org.ID, Module: module, APIName: api, Label: label,
		Type: crmguard.FieldText, Length: 255, CreatedTime: f.now, Custom: custom}
}

// testFields: every field reads back, system fields first, each group in
// the order added, and only the module and org asked for.
func testFields(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	pick := f.newField(crmguard.ModuleUsers, "Team", "Team", true)
	pick.Type, pick.Length, pick.PickList, pick.Mandatory, pick.CreatedBy = crmguard.FieldPicklist, 0, []string{"Red", "Blue", "ünï"}, true, f.user.ID
	money := f.newField(crmguard.ModuleUsers, "Budget", "Budget (€)", true)
	money.Type, money.Length, money.Decimals, money.CreatedTime = crmguard.FieldCurrency, 16, 2, f.at(time.Second)
	city := f.newField(crmguard.ModuleUsers, "city", "City", false)
	city.ReadOnly = true
	phone := f.newField(crmguard.ModuleUsers, "phone", "Phone", false)
	phone.Type = crmguard.FieldPhone
	leads := f.newField("leads", "Team", "Team", true) // another module
	// Custom and system fields interleaved as they are added.
	for _, fl := range []*crmguard.Field{pick, city, money, phone, leads} {
		must(t, s.CreateField(f.ctx, fl), "CreateField "+fl.APIName)
	}
	other := f.addTenant("Other", "o@other.test")
	theirs := f.newField(crmguard.ModuleUsers, "Team", "Team", true)
	theirs.OrgID = other.org.ID
	must(t, s.CreateField(f.ctx, theirs), "CreateField in another org")

	got, err := s.ListFields(f.ctx, f.org.ID, crmguard.ModuleUsers)
	must(t, err, "ListFields")
	same(t, "ListFields (system first, then custom, each in the order added)", got, []*crmguard.Field{city, phone, pick, money})
	got, err = s.ListFields(f.ctx, f.org.ID, "leads")
	must(t, err, "ListFields")
	same(t, "ListFields of another module", got, []*crmguard.Field{leads})
	if got, err := s.ListFields(f.ctx, f.org.ID, "deals"); err != nil || len(got) != 0 {
		t.Errorf("ListFields of a module with none: %v, %v", got, err)
	}
}

func testFieldNames(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	must(t, s.CreateField(f.ctx, f.newField(crmguard.ModuleUsers, "Team", "Team", true)), "CreateField")
	wantErr(t, s.CreateField(f.ctx, f.newField(crmguard.ModuleUsers, "tEAM", "Other", true)), crmguard.ErrConflict,
		"CreateField with a used API name in another case")
	wantErr(t, s.CreateField(f.ctx, f.newField(crmguard.ModuleUsers, "Other", "TEAM", true)), crmguard.ErrConflict,
		"CreateField with a used label in another case")
	must(t, s.CreateField(f.ctx, f.newField("leads", "team", "TEAM", true)), "CreateField of the names in another module")
	dup := f.newField(crmguard.ModuleUsers, "Fresh", "Fresh", true)
	must(t, s.CreateField(f.ctx, dup), "CreateField")
	again := *dup
	again.APIName, again.Label = "Fresh2", "Fresh2"
	wantErr(t, s.CreateField(f.ctx, &again), crmguard.ErrConflict, "CreateField with a used ID")
	if got, err := s.ListFields(f.ctx, f.org.ID, crmguard.ModuleUsers); err != nil || len(got) != 2 {
		t.Errorf("fields after the refused creates: %d, %v; want 2", len(got), err)
	}
}
