package criteria

import (
	"reflect"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
)

// fields are the searchable fields of the tests, by lower-case name.
var fields = map[string]string{}

func init() {
	for _, f := range []string{"a", "b", "c", "d", "email", "last_name", "status", "Website", "Reporting_To"} {
		fields[strings.ToLower(f)] = f
	}
}

func known(name string) (string, bool) {
	f, ok := fields[strings.ToLower(name)]
	return f, ok
}

// record is a record of field values; an empty value is a null field.
type record map[string]string

func (r record) get(f string) (string, bool) {
	v := r[f]
	return v, v != ""
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		fields         []string
		match, nomatch []record
	}{
		{
			name: "single", in: "(email:equals:a@b.c)", want: "(email:equals:a@b.c)",
			match:   []record{{"email": "a@b.c"}, {"email": "A@B.C"}},
			nomatch: []record{{"email": "a@b.cd"}, {}},
		},
		{
			name: "or group", in: "((email:equals:a@b.c)or(last_name:starts_with:Bo))",
			want:    "((email:equals:a@b.c)or(last_name:starts_with:Bo))",
			fields:  []string{"email", "last_name"},
			match:   []record{{"email": "a@b.c"}, {"last_name": "boyle"}, {"last_name": "Bo"}},
			nomatch: []record{{"last_name": "Abbot"}, {"last_name": "B"}, {}},
		},
		{
			name: "nested", in: "((a:equals:1)and((b:equals:2)or(c:equals:3)))",
			want:    "((a:equals:1)and((b:equals:2)or(c:equals:3)))",
			fields:  []string{"a", "b", "c"},
			match:   []record{{"a": "1", "b": "2"}, {"a": "1", "c": "3"}},
			nomatch: []record{{"a": "1"}, {"b": "2", "c": "3"}, {"a": "2", "b": "2"}},
		},
		{
			name: "outer group absent", in: "(a:equals:1)and(b:equals:2)", want: "((a:equals:1)and(b:equals:2))",
			match:   []record{{"a": "1", "b": "2"}},
			nomatch: []record{{"a": "1"}, {"b": "2"}},
		},
		{
			name: "redundant parentheses", in: "(((a:equals:1)))", want: "(a:equals:1)",
		},
		{
			name: "same keyword nested keeps its groups", in: "((a:equals:1)and(b:equals:2))and(c:equals:3)",
			want: "(((a:equals:1)and(b:equals:2))and(c:equals:3))",
		},
		{
			name: "keywords in any case with spaces", in: "  (a:equals:1)  AND ( (b:equals:2) Or\t(c:equals:3) ) ",
			want: "((a:equals:1)and((b:equals:2)or(c:equals:3)))",
		},
		{
			name: "spaces around api_name and operator, value as written", in: "( a : equals : x y )",
			want:    "(a:equals: x y )",
			match:   []record{{"a": " X Y "}},
			nomatch: []record{{"a": "x y"}},
		},
		{
			name: "field and operator canonicalised", in: "(EMAIL:Equals:x)or(website:STARTS_WITH:y)",
			want: "((email:equals:x)or(Website:starts_with:y))",
		},
		{
			name: "colons in value", in: "(Website:starts_with:http://x.example:8080/a)",
			want:    "(Website:starts_with:http://x.example:8080/a)",
			match:   []record{{"Website": "HTTP://X.example:8080/a/b"}},
			nomatch: []record{{"Website": "https://x.example"}},
		},
		{
			name: "escapes", in: `(last_name:equals:O\(Brien\)\\x\,y)`, want: `(last_name:equals:O\(Brien\)\\x\,y)`,
			match: []record{{"last_name": `o(brien)\X,Y`}},
		},
		{
			name: "unescaped comma kept outside in", in: "(last_name:equals:Smith, Jr)", want: `(last_name:equals:Smith\, Jr)`,
			match: []record{{"last_name": "smith, jr"}},
		},
		{
			name: "in", in: "(status:in:active,disabled)", want: "(status:in:active,disabled)",
			match:   []record{{"status": "Active"}, {"status": "disabled"}},
			nomatch: []record{{"status": "deleted"}, {"status": "active,disabled"}, {}},
		},
		{
			name: "in with escaped comma", in: `(status:in:a\,b,c)`, want: `(status:in:a\,b,c)`,
			match:   []record{{"status": "a,b"}, {"status": "c"}},
			nomatch: []record{{"status": "a"}},
		},
		{
			name: "in with one value", in: "(status:IN:active)", want: "(status:in:active)",
			match: []record{{"status": "active"}},
		},
		{
			name: "not_equal", in: "(status:not_equal:active)", want: "(status:not_equal:active)",
			match:   []record{{"status": "disabled"}, {}},
			nomatch: []record{{"status": "ACTIVE"}},
		},
		{
			name: "starts_with folds Unicode case", in: "(last_name:starts_with:ÉCO)", want: "(last_name:starts_with:ÉCO)",
			match:   []record{{"last_name": "écoles"}},
			nomatch: []record{{"last_name": "ec"}, {"last_name": "éc"}},
		},
		{
			name: "ten conditions", in: strings.Repeat("(a:equals:1)or", 9) + "(b:equals:2)",
			want:   "(" + strings.Repeat("(a:equals:1)or", 9) + "(b:equals:2))",
			fields: []string{"a", "b"},
			match:  []record{{"b": "2"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.in, known)
			if err != nil {
				t.Fatalf("Parse(%q): %v %v", tc.in, err, details(err))
			}
			if got := e.String(); got != tc.want {
				t.Fatalf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
			}
			again, err := Parse(e.String(), known)
			if err != nil {
				t.Fatalf("re-parsing %s: %v %v", e, err, details(err))
			}
			if !reflect.DeepEqual(again, e) {
				t.Errorf("re-parsing %s gives %#v, want %#v", e, again, e)
			}
			if tc.fields != nil {
				if got := Fields(e); !reflect.DeepEqual(got, tc.fields) {
					t.Errorf("Fields = %q, want %q", got, tc.fields)
				}
			}
			for _, r := range tc.match {
				if !e.Match(r.get) {
					t.Errorf("%s does not match %v", e, r)
				}
			}
			for _, r := range tc.nomatch {
				if e.Match(r.get) {
					t.Errorf("%s matches %v", e, r)
				}
			}
		})
	}
}

func TestParseStructure(t *testing.T) {
	e, err := Parse(`(a:equals:1)or((status:in:x\,y,z)and(Website:not_equal:http://q))`, known)
	if err != nil {
		t.Fatal(err)
	}
	want := &Group{Or: true, Terms: []Expr{
		&Cond{Field: "a", Op: Equals, Values: []string{"1"}},
		&Group{Terms: []Expr{
			&Cond{Field: "status", Op: In, Values: []string{"x,y", "z"}},
			&Cond{Field: "Website", Op: NotEqual, Values: []string{"http://q"}},
		}},
	}}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got %s, want %s", e, want)
	}
}

func TestParseNilKnown(t *testing.T) {
	e, err := Parse("(Anything:equals:x)", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := Fields(e); !reflect.DeepEqual(got, []string{"Anything"}) {
		t.Errorf("Fields = %q", got)
	}
}

// details returns the details of a crmguard error, for messages.
func details(err error) crmguard.Details {
	if e, ok := crmguard.AsError(err); ok {
		return e.Details
	}
	return nil
}

func TestParseErrors(t *testing.T) {
	syntax := func(reason string) crmguard.Details {
		return crmguard.Details{"param_name": "criteria", "reason": reason}
	}
	for _, tc := range []struct {
		name, in string
		want     crmguard.Details
	}{
		{"empty", "", syntax("the criteria is empty")},
		{"blank", " \t ", syntax("the criteria is empty")},
		{"not closed", "((email:equals:a@b.c)", syntax("unbalanced parentheses: the ( at position 1 is not closed")},
		{"value not closed", "(email:equals:a@b.c", syntax("unbalanced parentheses: the ( at position 1 is not closed")},
		{"operator not closed", "(a:equals", syntax("unbalanced parentheses: the ( at position 1 is not closed")},
		{"extra close", "(a:equals:1))", syntax("unbalanced parentheses: the ) at position 13 has no (")},
		{"extra close after group", "((a:equals:1)or(b:equals:2)))", syntax("unbalanced parentheses: the ) at position 29 has no (")},
		{"no parentheses", "a:equals:1", syntax(`expected ( at position 1, found 'a'`)},
		{"empty parentheses", "(a:equals:1)and( )", syntax("empty parentheses at position 16: expected (api_name:operator:value)")},
		{"no colon", "(email=x)", syntax("the condition at position 1 has no value: expected (api_name:operator:value)")},
		{"one colon", "(email:x)", syntax("the condition at position 1 has no value: expected (api_name:operator:value)")},
		{"no api_name", "( :equals:x)", syntax("the condition at position 1 has no api_name")},
		{"no operator", "(a: :x)", syntax("the condition at position 1 has no operator")},
		{"parenthesis in api_name", "(a(b:equals:x)", syntax("unexpected '(' at position 3 in the api_name of the condition at position 1")},
		{"parenthesis in operator", "(a:equals(1))", syntax("unexpected '(' at position 10 in the operator of the condition at position 1")},
		{"empty value", "(a:equals:)", syntax("the condition at position 1 has an empty value")},
		{"blank value", "(a:equals:  )", syntax("the condition at position 1 has an empty value")},
		{"empty in item", "(a:equals:1)or(status:in:a,,b)", syntax("the condition at position 15 has an empty value")},
		{"trailing in comma", "(status:in:a,)", syntax("the condition at position 1 has an empty value")},
		{"bad escape", `(a:equals:x\y)`, syntax(`bad escape at position 12: only \(, \), \, and \\ are escapes`)},
		{"escape at end", `(a:equals:x\`, syntax(`bad escape at position 12: only \(, \), \, and \\ are escapes`)},
		{"unescaped ( in value", "(a:equals:f(x))", syntax(`unescaped ( at position 12 in a value: write \(`)},
		{"unescaped ) in value", "(a:equals:x)y)", syntax(`expected and, or or ) at position 13, found 'y'`)},
		{"mixed and or", "(a:equals:1)and(b:equals:2)or(c:equals:3)", syntax("and and or are mixed in one group at position 28: add parentheses")},
		{"mixed inside group", "((a:equals:1)OR(b:equals:2)And(c:equals:3))", syntax("and and or are mixed in one group at position 28: add parentheses")},
		{"missing keyword", "(a:equals:1)(b:equals:2)", syntax("and or or is missing between the conditions at position 13")},
		{"junk between", "(a:equals:1) xor (b:equals:2)", syntax("expected and, or or ) at position 14, found 'x'")},
		{"junk after keyword", "(a:equals:1)andy(b:equals:2)", syntax("expected ( at position 16, found 'y'")},
		{"dangling keyword", "(a:equals:1) and ", syntax("a condition is missing at the end of the criteria")},
		{"positions count characters", "(last_name:equals:Ñandú)(b:equals:2)", syntax("and or or is missing between the conditions at position 25")},
		{"too deep", strings.Repeat("(", 40) + "a:equals:1" + strings.Repeat(")", 40), syntax("parentheses are nested more than 32 deep")},
		{
			"unknown field", "(a:equals:1)and( Shoe_Size :equals:42)",
			crmguard.Details{"param_name": "criteria", "api_name": "Shoe_Size", "reason": "the field is not available for search"},
		},
		{
			"unknown operator", "(email: contains :x)",
			crmguard.Details{"param_name": "criteria", "api_name": "email", "operator": "contains", "reason": "invalid operator found"},
		},
		{
			"unknown operator keeps api_name as written", "(EMAIL:greater_than:x)",
			crmguard.Details{"param_name": "criteria", "api_name": "EMAIL", "operator": "greater_than", "reason": "invalid operator found"},
		},
		{
			"eleven conditions", strings.Repeat("(a:equals:1)or", 10) + "(b:equals:2)",
			crmguard.Details{"param_name": "criteria", "reason": "more than 10 conditions", "limit": 10},
		},
		{
			"eleven nested conditions", "((a:equals:1)and(" + strings.Repeat("(a:equals:1)or", 9) + "(b:equals:2)))",
			crmguard.Details{"param_name": "criteria", "reason": "more than 10 conditions", "limit": 10},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.in, known)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tc.in, e)
			}
			if e != nil {
				t.Errorf("Parse(%q) returned %s with its error", tc.in, e)
			}
			ce, ok := err.(*crmguard.Error)
			if !ok {
				t.Fatalf("Parse(%q) error is %T, want *crmguard.Error", tc.in, err)
			}
			if ce.Code != CodeInvalidQuery || ce.Message != "invalid query formed" {
				t.Errorf("Parse(%q) error is %s: %s", tc.in, ce.Code, ce.Message)
			}
			if !reflect.DeepEqual(ce.Details, tc.want) {
				t.Errorf("Parse(%q) details\n got %v\nwant %v", tc.in, ce.Details, tc.want)
			}
		})
	}
}

func TestMatchBuiltByHand(t *testing.T) {
	empty := record{}.get
	full := record{"a": "x"}.get
	for _, tc := range []struct {
		e           Expr
		empty, full bool
	}{
		{&Cond{Field: "a", Op: Equals}, false, false},
		{&Cond{Field: "a", Op: NotEqual}, true, true},
		{&Cond{Field: "a", Op: StartsWith, Values: []string{""}}, false, true},
		{&Cond{Field: "a", Op: "contains", Values: []string{"x"}}, false, false},
		{&Group{}, true, true},
		{&Group{Or: true}, false, false},
	} {
		if got := tc.e.Match(empty); got != tc.empty {
			t.Errorf("%s on an empty field = %v", tc.e, got)
		}
		if got := tc.e.Match(full); got != tc.full {
			t.Errorf("%s on a=x = %v", tc.e, got)
		}
	}
}

func TestHasPrefixFold(t *testing.T) {
	for _, tc := range []struct {
		s, prefix string
		want      bool
	}{
		{"Hello", "", true},
		{"Hello", "hE", true},
		{"Hello", "hello!", false},
		{"straße", "STRA", true},
		{"\u212Aelvin", "k", true}, // Kelvin sign folds to k
		{"ké", "K\xff", false},
		{"", "a", false},
	} {
		if got := hasPrefixFold(tc.s, tc.prefix); got != tc.want {
			t.Errorf("hasPrefixFold(%q, %q) = %v", tc.s, tc.prefix, got)
		}
	}
}

// TestEscape: an escaped value parses back to itself, whatever it holds.
func TestEscape(t *testing.T) {
	for _, v := range []string{`a(b)`, `x,y`, `back\slash`, `(),\`, `plain@example.com`} {
		e, err := Parse("(email:equals:"+Escape(v)+")", func(n string) (string, bool) { return n, true })
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if c, ok := e.(*Cond); !ok || len(c.Values) != 1 || c.Values[0] != v {
			t.Errorf("%q parsed back as %#v", v, e)
		}
	}
}
