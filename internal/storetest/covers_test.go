package storetest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
)

// TestCovers fails when a method of crmguard.Store is called nowhere in
// the suite: a method added to the interface needs its conformance test.
func TestCovers(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	if src.Len() == 0 {
		t.Fatal("no suite source found: run the test from the package directory")
	}
	store := reflect.TypeFor[crmguard.Store]()
	if store.NumMethod() < 90 {
		t.Fatalf("crmguard.Store has %d methods; the check expects the whole interface", store.NumMethod())
	}
	for m := range store.Methods() {
		if !strings.Contains(src.String(), "."+m.Name+"(") {
			t.Errorf("the suite never calls Store.%s: add a test of its contract", m.Name)
		}
	}
}

// TestAreasNamed: every area and subtest has a distinct name, so that
// -run selects one.
func TestAreasNamed(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range areas() {
		if len(a.tests) == 0 {
			t.Errorf("area %s has no tests", a.name)
		}
		for _, c := range a.tests {
			key := a.name + "/" + c.name
			if seen[key] || c.fn == nil || strings.ContainsAny(c.name, " /") {
				t.Errorf("subtest %s is repeated, has no function or has a space or slash in its name", key)
			}
			seen[key] = true
		}
	}
}
