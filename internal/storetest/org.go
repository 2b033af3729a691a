package storetest

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var orgTests = []test{
	{"RoundTrip", testOrgRoundTrip},
	{"Update", testOrgUpdate},
	{"NotFoundAndConflict", testOrgSentinels},
	{"List", testOrgList},
}

// fullOrg sets every field of an org.
func fullOrg(f *fx) *crmguard.Org {
	trial, paid := f.at(24*time.Hour), f.at(48*time.Hour)
	return &crmguard.Org{ID: f.ids.New(), CompanyName: "Globex SARL", Alias: "gx", PrimaryEmail: "boss@globex.test",
		PrimaryUserID: f.ids.New(), DomainName: "globex.test", Country: "France", CountryCode: "FR", City: "Lyon",
		Street: "1 rue de la République", State: "ARA", Zip: "69001", Phone: "+33 1 23", Mobile: "+33 6 45",
		Fax: "+33 1 67", Website: "https://globex.test", EmployeeCount: "42", Description: "ünïcödé ✓ 'quoted'",
		Currency: "Euro - EUR", CurrencySymbol: "€", CurrencyLocale: "fr_FR", ISOCode: "EUR", TimeZone: "Europe/Paris",
		Type: "sandbox", Edition: crmguard.EditionProfessional, LicenseUsers: 25, Paid: true, TrialExpiry: &trial,
		PaidExpiry: &paid, CreatedTime: f.now, ModifiedTime: f.at(time.Second)}
}

func testOrgRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	o := fullOrg(f)
	must(t, s.CreateOrg(f.ctx, o), "CreateOrg")
	got, err := s.GetOrg(f.ctx, o.ID)
	must(t, err, "GetOrg")
	same(t, "org read back", got, o)
	// The seeded org has no expiry dates: nil stays nil.
	got, err = s.GetOrg(f.ctx, f.org.ID)
	must(t, err, "GetOrg")
	same(t, "org without expiry dates", got, f.org)
}

func testOrgUpdate(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	o := fullOrg(f)
	must(t, s.CreateOrg(f.ctx, o), "CreateOrg")
	u := &crmguard.Org{ID: o.ID, CompanyName: "Globex Inc", Alias: "gi", PrimaryEmail: "ceo@globex.test",
		PrimaryUserID: f.ids.New(), DomainName: "globex.example", Country: "Canada", CountryCode: "CA", City: "Montréal",
		Street: "2 rue", State: "QC", Zip: "H2X", Phone: "+1 514", Mobile: "+1 438", Fax: "+1 450",
		Website: "https://globex.example", EmployeeCount: "7", Description: "", Currency: "Canadian Dollar - CAD",
		CurrencySymbol: "$", CurrencyLocale: "fr_CA", ISOCode: "CAD", TimeZone: "America/Toronto", Type: "production",
		Edition: crmguard.EditionUltimate, LicenseUsers: 3, Paid: false, TrialExpiry: nil, PaidExpiry: ptr(f.at(72 * time.Hour)),
		CreatedTime: o.CreatedTime, ModifiedTime: f.at(time.Minute)}
	must(t, s.UpdateOrg(f.ctx, u), "UpdateOrg")
	got, err := s.GetOrg(f.ctx, o.ID)
	must(t, err, "GetOrg")
	same(t, "org after UpdateOrg", got, u)
	other, err := s.GetOrg(f.ctx, f.org.ID)
	must(t, err, "GetOrg")
	same(t, "another org after UpdateOrg", other, f.org)
}

func testOrgSentinels(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	_, err := s.GetOrg(f.ctx, f.ids.New())
	wantErr(t, err, crmguard.ErrNotFound, "GetOrg of an unknown ID")
	wantErr(t, s.UpdateOrg(f.ctx, &crmguard.Org{ID: f.ids.New(), CompanyName: "x", CreatedTime: f.now, ModifiedTime: f.now}),
		crmguard.ErrNotFound, "UpdateOrg of an unknown ID")
	dup := *f.org
	dup.CompanyName = "Another"
	wantErr(t, s.CreateOrg(f.ctx, &dup), crmguard.ErrConflict, "CreateOrg with a used ID")
}

func testOrgList(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	o := fullOrg(f)
	must(t, s.CreateOrg(f.ctx, o), "CreateOrg")
	got, err := s.ListOrgs(f.ctx)
	must(t, err, "ListOrgs")
	same(t, "ListOrgs", byID(got, orgID), byID([]*crmguard.Org{f.org, o}, orgID))
}

func orgID(o *crmguard.Org) crmguard.ID { return o.ID }

var orgPhotoTests = []test{
	{"None", testOrgPhotoNone},
	{"PutReplaceDelete", testOrgPhoto},
}

func testOrgPhotoNone(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	id, err := s.OrgPhotoID(f.ctx, f.org.ID)
	if err != nil || id != 0 {
		t.Errorf("OrgPhotoID without a photo: %v, %v; want 0, nil", id, err)
	}
	_, _, _, err = s.GetOrgPhoto(f.ctx, f.org.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetOrgPhoto without a photo")
	wantErr(t, s.DeleteOrgPhoto(f.ctx, f.org.ID), crmguard.ErrNotFound, "DeleteOrgPhoto without a photo")
}

func testOrgPhoto(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	other := f.addTenant("Other", "o@other.test")
	// Every byte value, so that no backend treats the image as text.
	img := make([]byte, 512)
	for i := range img {
		img[i] = byte(i)
	}
	check := func(what string, wantID crmguard.ID, wantType string, wantData []byte) {
		t.Helper()
		id, ct, data, err := s.GetOrgPhoto(f.ctx, f.org.ID)
		must(t, err, what+": GetOrgPhoto")
		same(t, what+": GetOrgPhoto", []any{id, ct, data}, []any{wantID, wantType, wantData})
		pid, err := s.OrgPhotoID(f.ctx, f.org.ID)
		if err != nil || pid != wantID {
			t.Errorf("%s: OrgPhotoID = %v, %v; want %v", what, pid, err, wantID)
		}
	}
	first := f.ids.New()
	must(t, s.PutOrgPhoto(f.ctx, f.org.ID, first, "image/png", img, f.user.ID, f.now), "PutOrgPhoto")
	check("first photo", first, "image/png", img)
	second := f.ids.New()
	must(t, s.PutOrgPhoto(f.ctx, f.org.ID, second, "image/jpeg", []byte("jpeg"), f.user.ID, f.at(time.Second)), "PutOrgPhoto again")
	check("replaced photo", second, "image/jpeg", []byte("jpeg"))
	if id, err := s.OrgPhotoID(f.ctx, other.org.ID); err != nil || id != 0 {
		t.Errorf("another org's OrgPhotoID: %v, %v; want 0, nil", id, err)
	}
	wantErr(t, s.DeleteOrgPhoto(f.ctx, other.org.ID), crmguard.ErrNotFound, "DeleteOrgPhoto of another org")
	must(t, s.DeleteOrgPhoto(f.ctx, f.org.ID), "DeleteOrgPhoto")
	_, _, _, err := s.GetOrgPhoto(f.ctx, f.org.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetOrgPhoto after the delete")
	if id, err := s.OrgPhotoID(f.ctx, f.org.ID); err != nil || id != 0 {
		t.Errorf("OrgPhotoID after the delete: %v, %v; want 0, nil", id, err)
	}
	wantErr(t, s.DeleteOrgPhoto(f.ctx, f.org.ID), crmguard.ErrNotFound, "second DeleteOrgPhoto")
}

var permissionTests = []test{
	{"CreateAndList", testPermissions},
}

func testPermissions(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	other := f.addTenant("Other", "o@other.test")
	mk := func(org crmguard.ID) []crmguard.Permission {
		perms := make([]crmguard.Permission, len(crmguard.Catalogue))
		for i, d := range crmguard.Catalogue {
			perms[i] = crmguard.Permission{ID: f.ids.New(), OrgID: org, Index: d.Index}
		}
		return perms
	}
	if got, err := s.ListPermissions(f.ctx, f.org.ID); err != nil || len(got) != 0 {
		t.Errorf("ListPermissions before any: %v, %v", got, err)
	}
	mine, theirs := mk(f.org.ID), mk(other.org.ID)
	must(t, s.CreatePermissions(f.ctx, mine), "CreatePermissions")
	must(t, s.CreatePermissions(f.ctx, theirs), "CreatePermissions of another org")
	got, err := s.ListPermissions(f.ctx, f.org.ID)
	must(t, err, "ListPermissions")
	same(t, "ListPermissions", byID(got, permID), byID(mine, permID))
	wantErr(t, s.CreatePermissions(f.ctx, mine[:1]), crmguard.ErrConflict, "CreatePermissions of an ID already there")
	must(t, s.CreatePermissions(f.ctx, nil), "CreatePermissions of none")
}

func permID(p crmguard.Permission) crmguard.ID { return p.ID }
