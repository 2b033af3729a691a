package zohoapi_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/zohoapi"
)

// TestReadmeListsEveryRoute: the README's "API served" table names every
// route of the route table with the scope it needs, and no route that is
// not served, so a reader learns the scope of a call without a 401.
func TestReadmeListsEveryRoute(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## API served\n")
	if !ok {
		t.Fatal(`README.md has no "## API served" section`)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	code := regexp.MustCompile("`([^`]+)`")
	var documented []string // "METHOD path scope"
	for line := range strings.SplitSeq(section, "\n") {
		cells := strings.Split(line, " | ")
		if !strings.HasPrefix(line, "| ") || len(cells) < 3 || !strings.Contains(cells[1], "/crm/") {
			continue
		}
		method := strings.TrimPrefix(cells[0], "| ")
		var scope string
		if m := code.FindStringSubmatch(cells[2]); m != nil {
			scope = m[1]
		}
		for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
			path, _, _ := strings.Cut(m[1], "?")
			path = strings.Replace(path, "/crm/{v}/", "/crm/{version}/", 1)
			for _, meth := range strings.Split(method, "/") {
				documented = append(documented, meth+" "+path+" "+scope)
			}
		}
	}
	var served []string
	for _, r := range zohoapi.Routes() {
		served = append(served, r.Method+" "+r.Path+" "+r.Scope)
	}
	for _, s := range served {
		if !slices.Contains(documented, s) {
			t.Errorf("README's API table lacks the route %s", s)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("README's API table lists %s, which is not served with that scope", d)
		}
	}
}
