package criteria

import (
	"reflect"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
)

// fuzzKnown accepts every field but "unknown", canonicalising the test
// fields and keeping other names as written.
func fuzzKnown(name string) (string, bool) {
	if strings.EqualFold(name, "unknown") {
		return "", false
	}
	if f, ok := known(name); ok {
		return f, true
	}
	return name, true
}

// countConds counts the conditions of e.
func countConds(e Expr) int {
	if g, ok := e.(*Group); ok {
		n := 0
		for _, t := range g.Terms {
			n += countConds(t)
		}
		return n
	}
	return 1
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"(email:equals:a@b.c)",
		"((email:equals:a@b.c)or(last_name:starts_with:Bo))",
		"((a:equals:1)and((b:equals:2)or(c:equals:3)))",
		"(a:equals:1) AND (b:not_equal:2)",
		"(status:in:active,disabled)",
		`(last_name:equals:O\(Brien\)\\x\,y)`,
		"(Website:starts_with:http://x.example:8080)",
		"( a : equals : x y )",
		"",
		"((email:equals:a@b.c)",
		"(a:equals:1))",
		"(a:equals:1)and(b:equals:2)or(c:equals:3)",
		"(unknown:equals:1)",
		"(a:contains:1)",
		`(a:equals:x\y)`,
		"(a:equals:f(x))",
		"(a:in:x,,y)",
		strings.Repeat("(a:equals:1)or", 10) + "(a:equals:1)",
		strings.Repeat("(", 40) + "a:equals:1" + strings.Repeat(")", 40),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s, fuzzKnown)
		if err != nil {
			ce, ok := err.(*crmguard.Error)
			if !ok {
				t.Fatalf("Parse(%q) error is %T, want *crmguard.Error", s, err)
			}
			if ce.Code != CodeInvalidQuery || ce.Message != "invalid query formed" || ce.Details["param_name"] != "criteria" {
				t.Fatalf("Parse(%q) error is %s %q %v", s, ce.Code, ce.Message, ce.Details)
			}
			if r, _ := ce.Details["reason"].(string); r == "" {
				t.Fatalf("Parse(%q) error has no reason: %v", s, ce.Details)
			}
			if e != nil {
				t.Fatalf("Parse(%q) returned %s with its error", s, e)
			}
			return
		}
		if n := countConds(e); n < 1 || n > MaxConditions {
			t.Fatalf("Parse(%q) has %d conditions", s, n)
		}
		again, err := Parse(e.String(), fuzzKnown)
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse: %v %v", s, e, err, details(err))
		}
		if again.String() != e.String() || !reflect.DeepEqual(again, e) {
			t.Fatalf("Parse(%q) = %s, which parses to %s", s, e, again)
		}
		if len(Fields(e)) == 0 {
			t.Fatalf("Parse(%q) = %s uses no fields", s, e)
		}
		e.Match(func(f string) (string, bool) { return f, len(f)%2 == 0 })
	})
}
