package service

import (
	"encoding/json"
	"testing"

	"github.com/crmguard/crmguard"
)

func TestCheckValue(t *testing.T) {
	num := &crmguard.Field{APIName: "N", Type: crmguard.FieldInteger, Length: 9}
	cur := &crmguard.Field{APIName: "C", Type: crmguard.FieldCurrency, Length: 16, Decimals: 2}
	web := &crmguard.Field{APIName: "W", Type: crmguard.FieldWebsite, Length: 255}
	mail := &crmguard.Field{APIName: "E", Type: crmguard.FieldEmail, Length: 100}
	date := &crmguard.Field{APIName: "D", Type: crmguard.FieldDate}
	pick := &crmguard.Field{APIName: "P", Type: crmguard.FieldPicklist, PickList: []string{"North", "South"}, Length: 120}
	text := &crmguard.Field{APIName: "T", Type: crmguard.FieldText, Length: 5}
	for _, c := range []struct {
		f       *crmguard.Field
		in, out string // out "!" means refused, "" means cleared
	}{
		{num, `42`, `42`}, {num, `-0`, `0`}, {num, `007`, `!`}, {num, `123456789`, `123456789`}, {num, `1234567890`, `!`},
		{num, `1.0`, `1`}, {num, `1.5`, `!`}, {num, `1e3`, `!`}, {num, `"12"`, `!`}, {num, `null`, ``},
		{cur, `12.5`, `12.5`}, {cur, `12.50`, `12.5`}, {cur, `-0.01`, `-0.01`}, {cur, `1.005`, `!`}, {cur, `true`, `!`},
		{web, `"www.zoho.com"`, `"www.zoho.com"`}, {web, `"https://example.org/a?b=c"`, `"https://example.org/a?b=c"`},
		{web, `"javascript:alert(1)"`, `!`}, {web, `"not a url"`, `!`}, {web, `""`, ``},
		{mail, `"a.b@example.co"`, `"a.b@example.co"`}, {mail, `"Ann <a@b.co>"`, `!`}, {mail, `"a@b"`, `!`},
		{date, `"2024-02-29"`, `"2024-02-29"`}, {date, `"2023-02-29"`, `!`}, {date, `"2024-2-9"`, `!`},
		{pick, `"south"`, `"South"`}, {pick, `"West"`, `!`},
		{text, `"héllo"`, `"héllo"`}, {text, `"héllo!"`, `!`}, {text, `"a\nb"`, `!`}, {text, `5`, `!`},
	} {
		got, err := checkValue(c.f, json.RawMessage(c.in))
		switch {
		case c.out == "!" && err == nil:
			t.Errorf("%s %s: accepted as %s", c.f.Type, c.in, got)
		case c.out != "!" && err != nil:
			t.Errorf("%s %s: %v", c.f.Type, c.in, err)
		case c.out != "!" && string(got) != c.out:
			t.Errorf("%s %s: %s, want %s", c.f.Type, c.in, got, c.out)
		case err != nil && (err.(*FieldError).Field != c.f.APIName || err.(*FieldError).Err.Details["api_name"] != c.f.APIName):
			t.Errorf("%s %s: %#v", c.f.Type, c.in, err)
		}
	}
}

func TestAPINameFor(t *testing.T) {
	for in, want := range map[string]string{"Employee Number": "Employee_Number", "  Badge / Budget (€) ": "Badge_Budget",
		"2nd Phone": "Field_2nd_Phone", "Single Line 1": "Single_Line_1"} {
		if got := apiNameFor(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
