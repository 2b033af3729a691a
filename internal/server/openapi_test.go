package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/crmguardtest"
	"github.com/crmguard/crmguard/internal/openapi"
)

// The server serves the document, and every operation it describes is
// served by a route of its own: asked without credentials, none falls
// through to the catch-all's INVALID_URL_PATTERN or a 405. (The reverse,
// that every registered route is described, is internal/openapi's test.)
func TestOpenAPIRoutesAreServed(t *testing.T) {
	srv := crmguardtest.Start(t)
	resp, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, openapi.Document()) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /openapi.json = %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(got))
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{version}", "v8", "{id}", "1", "{name}", "x", "{token}", "x")
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			method = strings.ToUpper(method)
			req, _ := http.NewRequest(method, srv.URL+fill.Replace(path), nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusMethodNotAllowed || bytes.Contains(body, []byte("INVALID_URL_PATTERN")) ||
				bytes.Contains(body, []byte("INVALID_REQUEST_METHOD")) {
				t.Errorf("%s %s is described but not served: %d %.200s", method, path, resp.StatusCode, body)
			}
			n++
		}
	}
	if n < 40 {
		t.Fatalf("only %d operations described", n)
	}
}
