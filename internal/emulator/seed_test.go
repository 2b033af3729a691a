package emulator_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/server"
)

// POST /__emulator/seed needs the key, answers a bad file with each
// problem's line in Zoho's error shape and changes nothing, and applies a
// good one whose tokens then work.
func TestSeedRoute(t *testing.T) {
	e := startEmu(t)
	if code, body := e.do(t, "POST", "/__emulator/seed", "users: []\n"); code != 401 || !strings.Contains(body, "emulator key missing or wrong") {
		t.Fatalf("without the key: %d %s", code, body)
	}
	key := []string{emulator.KeyHeader, testKey}
	bad := "roles:\n  - name: A\n    reporting_to: Nowhere\n  - name: B\n    colour: blue\n"
	code, body := e.do(t, "POST", "/__emulator/seed", bad, key...)
	var refused struct {
		Code    string `json:"code"`
		Details struct {
			Errors []struct {
				Line, Column int
				Message      string
			} `json:"errors"`
		} `json:"details"`
	}
	if err := json.Unmarshal([]byte(body), &refused); err != nil || code != 400 || refused.Code != "INVALID_DATA" {
		t.Fatalf("bad file: %d %s", code, body)
	}
	// The unknown key is found by the parser, before references are
	// resolved against the org.
	if errs := refused.Details.Errors; len(errs) != 1 || errs[0].Line != 5 || errs[0].Column != 5 || !strings.Contains(errs[0].Message, `"colour"`) {
		t.Fatalf("errors: %+v", errs)
	}

	data, err := os.ReadFile("../../docs/seed-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if code, body := e.do(t, "POST", "/__emulator/seed?dry_run=true", string(data), key...); code != 200 || !strings.Contains(body, "nothing changed") {
		t.Fatalf("dry run: %d %s", code, body)
	}
	code, body = e.do(t, "POST", "/__emulator/seed", string(data), key...)
	var applied struct {
		Details struct {
			Result struct {
				Tokens []struct{ Seed, Token string }
			} `json:"result"`
		} `json:"details"`
	}
	if err := json.Unmarshal([]byte(body), &applied); err != nil || code != 200 || len(applied.Details.Result.Tokens) != 3 {
		t.Fatalf("apply: %d %s", code, body)
	}
	tok := applied.Details.Result.Tokens[0].Token
	if code, body := e.api(t, "GET", "/crm/v8/users?type=AllUsers", tok, ""); code != 200 || !strings.Contains(body, "ana.silva@example.com") {
		t.Fatalf("seeded token: %d %s", code, body)
	}
}

// BenchmarkSeedApply measures applying the example file, and a file of
// 1,000 new users, each on a fresh server (setup is not timed).
func BenchmarkSeedApply(b *testing.B) {
	example, err := os.ReadFile("../../docs/seed-example.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var big strings.Builder
	big.WriteString("roles:\n  - name: Field\nprofiles:\n  - name: Field Sales\n    api_access: true\nusers:\n")
	for i := range 1000 {
		fmt.Fprintf(&big, "  - email: user%04d@example.com\n    first_name: User\n    last_name: N%04d\n    role: Field\n    profile: Field Sales\n", i, i)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"example", example}, {"1000users", []byte(big.String())}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				e := start(b, server.Options{Emulator: &emulator.Config{Key: testKey}})
				b.StartTimer()
				if _, err := e.stack.Emulator.ApplySeed(b.Context(), c.data, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
