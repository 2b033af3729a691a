package testenv

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

var (
	reToken = regexp.MustCompile(`1000\.[0-9a-f]{32}\.[0-9a-f]{32}`)
	reID    = regexp.MustCompile(`"[1-9][0-9]{18}"`)
	reTime  = regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"`)
	reOrg   = regexp.MustCompile(`"org[0-9]{9}"`)
	reLocal = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
)

// Normalize replaces what changes from run to run (IDs, tokens, times)
// with stable placeholders; each distinct ID gets its own number, in order
// of appearance, so a reader can still see which IDs are the same.
func Normalize(b []byte) []byte {
	ids := map[string]string{}
	b = reID.ReplaceAllFunc(b, func(m []byte) []byte {
		k := string(m)
		if _, ok := ids[k]; !ok {
			ids[k] = fmt.Sprintf(`"<id%d>"`, len(ids)+1)
		}
		return []byte(ids[k])
	})
	b = reToken.ReplaceAll(b, []byte("<token>"))
	b = reTime.ReplaceAll(b, []byte(`"<time>"`))
	b = reLocal.ReplaceAll(b, []byte("<server>"))
	return reOrg.ReplaceAll(b, []byte(`"<domain>"`))
}

// Dump renders a response as a reader would want to check it: the status
// line, the headers that are part of the contract, and the body (JSON
// indented, keys in the order sent). It closes the body.
func Dump(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "HTTP %d\n", resp.StatusCode)
	var names []string
	for _, h := range []string{"Content-Type", "Retry-After", "Location", "Cache-Control"} {
		if resp.Header.Get(h) != "" {
			names = append(names, h)
		}
	}
	sort.Strings(names)
	for _, h := range names {
		fmt.Fprintf(&out, "%s: %s\n", h, resp.Header.Get(h))
	}
	out.WriteByte('\n')
	var ind bytes.Buffer
	if len(body) > 0 && json.Indent(&ind, body, "", "  ") == nil {
		out.Write(ind.Bytes())
		out.WriteByte('\n')
	} else {
		out.Write(body)
	}
	return Normalize(out.Bytes())
}

// Golden compares got with testdata/<name>.golden, or rewrites it with -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run 'go test -run %s -update' to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", t.Name(), path, got, want)
	}
}

// GoldenResponse dumps resp and compares it with its golden file.
func GoldenResponse(t testing.TB, name string, resp *http.Response) {
	t.Helper()
	Golden(t, name, Dump(t, resp))
}
