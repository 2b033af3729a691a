package crmguard_test

import (
	"errors"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The architecture of the module, checked against the code: what each
// package says it imports, which way imports may point, and how large a
// file may grow.

const module = "github.com/crmguard/crmguard"

// pkg is one package of the module as the tests see it.
type pkg struct {
	dir   string // slash-separated, relative to the module root: "." or "internal/x"
	name  string // "crmguard" for the root, else dir
	build *build.Package
}

// packages lists every package of the module: each directory with
// non-test Go files, skipping testdata, hidden and underscore directories
// as the go command does.
func packages(t *testing.T) []pkg {
	t.Helper()
	var out []pkg
	err := filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if n := d.Name(); p != "." && (n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(p, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		dir := filepath.ToSlash(p)
		name := dir
		if dir == "." {
			name = "crmguard"
		}
		out = append(out, pkg{dir: dir, name: name, build: bp})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d packages; run the test from the module root", len(out))
	}
	return out
}

// imports lists the module's packages that p imports from its non-test
// files, as "crmguard" or "internal/x", sorted.
func (p pkg) imports() []string {
	var out []string
	for _, imp := range p.build.Imports {
		switch {
		case imp == module:
			out = append(out, "crmguard")
		case strings.HasPrefix(imp, module+"/"):
			out = append(out, strings.TrimPrefix(imp, module+"/"))
		}
	}
	sort.Strings(out)
	return out
}

// importsLine is the last line of a package comment: the project packages
// the package imports, or none.
var importsLine = regexp.MustCompile(`^Imports: (none|[a-z0-9/]+(, [a-z0-9/]+)*)\.$`)

// statedImports reads what p's package comment says it imports. The
// comment is in doc.go; a command (package main) may keep it in its one
// file instead.
func (p pkg) statedImports() ([]string, error) {
	files := []string{"doc.go"}
	if p.build.Name == "main" {
		files = p.build.GoFiles
	}
	var doc string
	for _, f := range files {
		af, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.dir, f), nil, parser.ParseComments|parser.PackageClauseOnly)
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("a package needs a doc.go with its package comment")
		} else if err != nil {
			return nil, err
		}
		if af.Doc != nil {
			doc = af.Doc.Text()
			break
		}
	}
	if doc == "" {
		return nil, fmt.Errorf("%s has no package comment", strings.Join(files, ", "))
	}
	lines := strings.Split(strings.TrimSpace(doc), "\n")
	m := importsLine.FindStringSubmatch(lines[len(lines)-1])
	if m == nil {
		return nil, errors.New(`the package comment does not end with "Imports: a, b." (project packages as crmguard or internal/x, sorted) or "Imports: none."`)
	}
	if m[1] == "none" {
		return nil, nil
	}
	list := strings.Split(m[1], ", ")
	if !slices.IsSorted(list) {
		return nil, fmt.Errorf("its Imports line is not sorted: %v", list)
	}
	return list, nil
}

// TestDocsSayWhatPackagesImport: every package comment ends with the
// project packages the package imports, and the code agrees.
func TestDocsSayWhatPackagesImport(t *testing.T) {
	for _, p := range packages(t) {
		want, err := p.statedImports()
		if err != nil {
			t.Errorf("%s: %v", p.dir, err)
			continue
		}
		if got := p.imports(); !slices.Equal(got, want) {
			t.Errorf("%s: its package comment says \"Imports: %s.\"; the code imports %s",
				p.dir, listOrNone(want), listOrNone(got))
		}
	}
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// tiers orders the packages: a package imports only packages of a lower
// tier, so no layer imports upward and none imports a peer. A new package
// gets a tier here.
var tiers = map[string]int{
	"crmguard":           0, // the vocabulary imports nothing
	"internal/access":    1,
	"internal/criteria":  1,
	"internal/web":       1,
	"internal/sqlstore":  1,
	"internal/pgtest":    1, // test helper: a PostgreSQL schema per test
	"internal/storetest": 2, // the storage conformance suite
	"internal/seedfile":  2,
	"internal/service":   3,
	"internal/guard":     4,
	// The transports: none imports another.
	"internal/zohoapi":  5,
	"internal/oauth":    5,
	"internal/console":  5,
	"internal/emulator": 5,
	"internal/openapi":  6, // describes zohoapi's route table
	"internal/server":   7, // the one place that wires the stack
	"internal/cli":      8,
	"internal/testenv":  8,
	"internal/cluster":  9,
	"crmguardtest":      8,
	"cmd/crmguard":      9,
	"cmd/crmguard-load": 9,
}

// transports serve HTTP routes of their own.
var transports = []string{"internal/zohoapi", "internal/oauth", "internal/console", "internal/emulator"}

// wiring may open a store.
var wiring = []string{"internal/server", "internal/cli", "internal/testenv", "crmguardtest", "cmd/crmguard-load"}

// TestLayers: the root imports no project package; no transport imports
// another transport or the store; only the wiring imports the store; and
// no package imports one of its own tier or above.
func TestLayers(t *testing.T) {
	for _, p := range packages(t) {
		imps := p.imports()
		if p.name == "crmguard" && len(imps) > 0 {
			t.Errorf("the module root imports %v; it must import no project package", imps)
		}
		tier, ok := tiers[p.name]
		if !ok {
			t.Errorf("%s has no tier in arch_test.go: say which packages it may import", p.name)
		}
		for _, imp := range imps {
			if slices.Contains(transports, p.name) && (slices.Contains(transports, imp) || imp == "internal/sqlstore") {
				t.Errorf("transport %s imports %s", p.name, imp)
			}
			if imp == "internal/sqlstore" && !slices.Contains(wiring, p.name) {
				t.Errorf("%s imports the store; only the wiring (%v) may", p.name, wiring)
			}
			if t2, ok2 := tiers[imp]; ok && ok2 && t2 >= tier {
				t.Errorf("%s (tier %d) imports %s (tier %d): imports point down only", p.name, tier, imp, t2)
			}
		}
	}
}

// maxLines is the most lines a non-test Go file may hold: past it a file
// holds more than one thing, and a reader cannot tell from its name what.
const maxLines = 450

// TestFilesStaySmall: no non-test Go file over maxLines lines.
func TestFilesStaySmall(t *testing.T) {
	for _, p := range packages(t) {
		for _, f := range p.build.GoFiles {
			name := filepath.Join(p.dir, f)
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(b), "\n"); n > maxLines {
				t.Errorf("%s: %d lines, more than %d; split it by what it holds", name, n, maxLines)
			}
		}
	}
}
