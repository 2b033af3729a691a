package openapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/zohoapi"
)

var update = flag.Bool("update", false, "rewrite docs/openapi.json from the route tables")

const committed = "../../docs/openapi.json"

// The committed copy is what the server serves: a route added without
// regenerating it (go generate ./internal/openapi) fails here.
func TestCommittedDocument(t *testing.T) {
	doc := Document()
	if *update {
		if err := os.WriteFile(committed, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatalf("%v (write it with: go generate ./internal/openapi)", err)
	}
	if !bytes.Equal(got, doc) {
		t.Fatalf("%s differs from the route tables; regenerate it with: go generate ./internal/openapi", committed)
	}
	if !bytes.Equal(doc, Document()) {
		t.Fatal("two calls built different documents")
	}
}

type opDoc struct {
	OperationID string           `json:"operationId"`
	Tags        []string         `json:"tags"`
	Security    []map[string]any `json:"security"`
}

func parse(t *testing.T) (raw map[string]any, paths map[string]map[string]opDoc) {
	t.Helper()
	var d struct {
		OpenAPI string                      `json:"openapi"`
		Paths   map[string]map[string]opDoc `json:"paths"`
	}
	if err := json.Unmarshal(Document(), &d); err != nil {
		t.Fatal(err)
	}
	if d.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", d.OpenAPI)
	}
	if err := json.Unmarshal(Document(), &raw); err != nil {
		t.Fatal(err)
	}
	return raw, d.Paths
}

// Every API route is there with its scope as the security requirement, and
// nothing else is under /crm/.
func TestAPIRoutesAndScopes(t *testing.T) {
	_, paths := parse(t)
	n := 0
	for _, rt := range zohoapi.Routes() {
		op, ok := paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s missing", rt.Method, rt.Path)
			continue
		}
		n++
		if len(op.Security) != 1 || !slices.Equal(toStrings(op.Security[0]["zohoOAuth"]), []string{rt.Scope}) {
			t.Errorf("%s %s security = %v, want zohoOAuth [%s]", rt.Method, rt.Path, op.Security, rt.Scope)
		}
	}
	total := 0
	for p, item := range paths {
		if strings.HasPrefix(p, "/crm/") {
			total += len(item)
		}
	}
	if total != n || n != len(zohoapi.Routes()) {
		t.Errorf("%d operations under /crm/, %d routes in the table", total, len(zohoapi.Routes()))
	}
	if got := paths["/crm/{version}/users"]["get"]; got.OperationID != "get_users" || got.Tags[0] != "Users" {
		t.Errorf("GET users = %+v", got)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// Emulator routes have their own tag and the key scheme; operation IDs are
// unique; every $ref points at something that exists.
func TestStructure(t *testing.T) {
	raw, paths := parse(t)
	ids := map[string]string{}
	for p, item := range paths {
		for m, op := range item {
			if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("operationId %s of %s %s and %s", op.OperationID, m, p, prev)
			}
			ids[op.OperationID] = m + " " + p
			if strings.HasPrefix(p, "/__emulator/") {
				if len(op.Tags) != 1 || op.Tags[0] != TagEmulator {
					t.Errorf("%s %s tags = %v", m, p, op.Tags)
				}
				if len(op.Security) != 1 || op.Security[0]["emulatorKey"] == nil {
					t.Errorf("%s %s security = %v", m, p, op.Security)
				}
			}
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if !resolves(raw, ref) {
					t.Errorf("$ref %s resolves to nothing", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(raw)
}

func resolves(doc map[string]any, ref string) bool {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// The hand-kept tables match what the transports register: every literal
// pattern in internal/oauth, internal/server and internal/emulator is
// documented, and every documented pattern is registered there. (The API's
// routes come from its table and need no such check; the console's pages
// are not an API.)
func TestTablesMatchRegisteredPatterns(t *testing.T) {
	registered := map[string]string{} // pattern → where
	for _, dir := range []string{"../oauth", "../server", "../emulator"} {
		for pat, at := range patternsIn(t, dir) {
			registered[pat] = at
		}
	}
	documented := map[string]bool{}
	for _, group := range [][]Route{oauthRoutes, opsRoutes, emulatorRoutes} {
		for _, rt := range group {
			documented[rt.Method+" "+rt.Path] = true
		}
	}
	for pat, at := range registered {
		if !documented[pat] {
			t.Errorf("%s registers %q, which the OpenAPI tables do not describe", at, pat)
		}
	}
	for pat := range documented {
		if _, ok := registered[pat]; !ok {
			t.Errorf("%q is documented but nothing registers it", pat)
		}
	}
}

// patternsIn reads the route patterns a package registers: the constant
// string arguments of calls to Handle, HandleFunc or handle that look like
// "METHOD /path". Concatenations with the package's string constants
// (e.g. "GET "+Prefix+"clock") are evaluated; the catch-alls "/" and
// "/crm/" are not operations.
func patternsIn(t *testing.T, dir string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	consts := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, af)
	}
	// Constants may refer to each other: resolve until nothing changes.
	for changed := true; changed; {
		changed = false
		for _, af := range parsed {
			for _, d := range af.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i >= len(vs.Values) {
							continue
						}
						if _, done := consts[name.Name]; done {
							continue
						}
						if v, ok := constString(vs.Values[i], consts); ok {
							consts[name.Name], changed = v, true
						}
					}
				}
			}
		}
	}
	out := map[string]string{}
	for _, af := range parsed {
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "handle") {
				return true
			}
			for _, arg := range call.Args {
				v, ok := constString(arg, consts)
				if !ok {
					continue
				}
				method, path, found := strings.Cut(v, " ")
				if !found || !strings.HasPrefix(path, "/") || strings.ToUpper(method) != method {
					continue
				}
				out[v] = fset.Position(arg.Pos()).String()
			}
			return true
		})
	}
	return out
}

func constString(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return constString(e.X, consts)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := constString(e.X, consts)
		b, ok2 := constString(e.Y, consts)
		return a + b, ok1 && ok2
	}
	return "", false
}
