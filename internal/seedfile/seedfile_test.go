package seedfile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/seedfile"
)

// What Parse alone refuses, each at its own line and column, in file order
// and all at once, so one pass fixes a file.
func TestParseErrors(t *testing.T) {
	file := "version: 2\n" +
		"roles:\n" +
		"  - &r {name: A}\n" +
		"users:\n" +
		"  - email: a@example.com\n" +
		"    confirmed: \"yes\"\n" +
		"    fields: {phone: [1, 2]}\n" +
		"tokens:\n" +
		"  - {seed: s, user: a@example.com, kind: refresh, scopes: ZohoCRM.users.READ, expires_in: 1h}\n"
	_, err := seedfile.Parse([]byte(file))
	var errs seedfile.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("%T %v", err, err)
	}
	want := []string{
		"line 1, column 10: version 2 is not supported",
		"line 3, column 5: anchors and aliases",
		"line 6, column 16: confirmed must be true or false",
		"line 7, column 21: field phone must be a single value",
		"line 9, column 5: token s: a refresh token does not expire",
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}

// JSON is read by the same parser, tabs and all, with its own positions.
func TestParseJSON(t *testing.T) {
	doc, err := seedfile.Parse([]byte("{\n\t\"users\": [\n\t\t{\"email\": \"j@example.com\", \"fields\": {\"Score\": 4.5, \"Ok\": true, \"Note\": null}}\n\t]\n}"))
	if err != nil {
		t.Fatal(err)
	}
	u := doc.Users[0]
	if u.Pos.Line != 3 || len(u.Fields) != 3 || string(u.Fields[0].Value) != "4.5" || string(u.Fields[1].Value) != "true" || string(u.Fields[2].Value) != "null" {
		t.Fatalf("%+v", u)
	}
}

func TestAPIName(t *testing.T) {
	for in, want := range map[string]string{"Employee Number": "Employee_Number", "  cost (USD) ": "cost_USD", "9 lives": "Field_9_lives"} {
		if got := seedfile.APIName(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// An anchor and an alias are each refused once, without follow-on errors.
func TestAnchorReportedOnce(t *testing.T) {
	_, err := seedfile.Parse([]byte("roles:\n  - &r {name: A}\n  - *r\n"))
	if err == nil || strings.Count(err.Error(), "\n") != 1 || strings.Contains(err.Error(), "required") {
		t.Fatalf("%v", err)
	}
}
