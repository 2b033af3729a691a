package crmguard_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

func TestIDsAre19DigitsUniqueAndOrdered(t *testing.T) {
	g := crmguard.NewIDGen(func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) })
	seen := map[crmguard.ID]bool{}
	var last crmguard.ID
	for i := 0; i < 10000; i++ { // more than one millisecond's sequence
		id := g.New()
		if s := id.String(); len(s) != 19 {
			t.Fatalf("ID %s has %d digits", s, len(s))
		}
		if seen[id] || id <= last {
			t.Fatalf("ID %d repeated or out of order after %d", id, last)
		}
		seen[id], last = true, id
	}
	b, _ := json.Marshal(struct{ ID crmguard.ID }{last})
	if want := `{"ID":"` + last.String() + `"}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}

func TestParseID(t *testing.T) {
	for s, ok := range map[string]bool{
		"4876876000000327001": true, "1": true, "": false, "0": false, "-5": false, "12a": false,
		"9223372036854775807": true, "9223372036854775808": false, "12345678901234567890": false, " 1": false,
	} {
		if _, got := crmguard.ParseID(s); got != ok {
			t.Errorf("ParseID(%q) ok = %v, want %v", s, got, ok)
		}
	}
}

func TestCatalogue(t *testing.T) {
	if len(crmguard.Catalogue) > 128 {
		t.Fatalf("catalogue has %d permissions; PermSet holds 128", len(crmguard.Catalogue))
	}
	names := map[string]bool{}
	for _, p := range crmguard.Catalogue {
		if names[p.Name] {
			t.Errorf("duplicate permission %s", p.Name)
		}
		names[p.Name] = true
	}
	all, std := crmguard.AllPermissions(), crmguard.StandardPermissions()
	for _, n := range []string{crmguard.PermAPIAccess, crmguard.PermManageUsers, crmguard.PermManageProfiles, crmguard.PermManageRoles, crmguard.PermManageSecurity} {
		if !all.Has(n) {
			t.Errorf("Administrator lacks %s", n)
		}
		if std.Has(n) {
			t.Errorf("Standard has %s; it should be off by default", n)
		}
	}
	if !std.Has("Crm_Implied_View_Leads") || std.Has("Crm_Implied_Delete_Leads") {
		t.Error("Standard should view but not delete leads")
	}
	i, _ := crmguard.PermissionIndex(crmguard.PermAPIAccess)
	std.Set(i, true)
	if !std.Has(crmguard.PermAPIAccess) {
		t.Error("Set did not add the permission")
	}
	if crmguard.Catalogue[i].DisplayLabel != "Zoho CRM API Access" || crmguard.Catalogue[i].Section != "developer" {
		t.Errorf("API access entry: %+v", crmguard.Catalogue[i])
	}
}

func TestIDUnmarshalJSON(t *testing.T) {
	for in, want := range map[string]crmguard.ID{
		`"4876876000000327001"`: 4876876000000327001, `4876876000000327001`: 4876876000000327001,
		`"\u0031\u0032"`: 12, `7`: 7,
		`"0"`: 0, `0`: 0, `-5`: 0, `1.5`: 0, `1e3`: 0, `"12a"`: 0, `" 1"`: 0, `""`: 0, `true`: 0, `{"id":"1"}`: 0,
		`["1"]`: 0, `"12345678901234567890"`: 0, `9223372036854775808`: 0,
	} {
		var id crmguard.ID
		err := json.Unmarshal([]byte(in), &id)
		if want == 0 && err == nil {
			t.Errorf("%s: decoded %d, want an error", in, id)
		} else if want != 0 && (err != nil || id != want) {
			t.Errorf("%s: %d, %v; want %d", in, id, err, want)
		}
	}
	id := crmguard.ID(9)
	if err := json.Unmarshal([]byte(`null`), &id); err != nil || id != 9 {
		t.Errorf("null: %d, %v; want the ID unchanged", id, err)
	}
}
