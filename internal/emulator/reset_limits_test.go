package emulator_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/server"
)

// TestResetRefillsTheCredits: after a reset the org's API budget is whole
// again, as on a fresh server; a test that spent it does not leak into the
// next.
func TestResetRefillsTheCredits(t *testing.T) {
	e := start(t, server.Options{Demo: true, Emulator: &emulator.Config{Key: testKey}, Guard: guard.Config{Credits: 2}})
	tok := e.demoToken()
	for i := 0; i < 2; i++ {
		if code, body := e.api(t, "GET", "/crm/v8/org", tok, ""); code != http.StatusOK {
			t.Fatalf("call %d: %d %s", i+1, code, body)
		}
	}
	if code, _ := e.api(t, "GET", "/crm/v8/org", tok, ""); code != http.StatusTooManyRequests {
		t.Fatalf("third call on a budget of 2: %d, want 429", code)
	}
	e.emu(t, http.StatusOK, "POST", "/__emulator/reset", "")
	if code, body := e.api(t, "GET", "/crm/v8/org", tok, ""); code != http.StatusOK {
		t.Fatalf("after reset: %d %s, want the budget back", code, body)
	}
}

// TestResetNeverReusesAChangeNumber: the audit sequence, which other
// processes poll to learn of changes, never goes back across a reset, so a
// write after the reset always shows as a new number.
func TestResetNeverReusesAChangeNumber(t *testing.T) {
	e := startEmu(t)
	ctx := context.Background()
	for _, email := range []string{"reset.one@example.com", "reset.two@example.com"} {
		code, body := e.api(t, "POST", "/crm/v8/users", e.demoToken(),
			`{"users":[{"last_name":"R","email":"`+email+`","role":"`+roleID(t, e, "Manager")+`","profile":"`+profileID(t, e, "Standard")+`"}]}`)
		if code != http.StatusCreated {
			t.Fatalf("add %s: %d %s", email, code, body)
		}
	}
	seen, err := e.stack.Store.LastAuditSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.emu(t, http.StatusOK, "POST", "/__emulator/reset", "")
	if _, err := e.stack.Service.IssueTokens(ctx, adminActor(e), e.stack.Org.PrimaryUserID, "ZohoCRM.org.READ", false); err != nil {
		t.Fatal(err)
	}
	after, err := e.stack.Store.LastAuditSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after <= seen {
		t.Fatalf("the first change after the reset is number %d; %d was already seen before it", after, seen)
	}
}

func roleID(t *testing.T, e *env, name string) string {
	t.Helper()
	r, err := e.stack.Store.GetRoleByName(context.Background(), e.stack.Org.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID.String()
}

func profileID(t *testing.T, e *env, name string) string {
	t.Helper()
	p, err := e.stack.Store.GetProfileByName(context.Background(), e.stack.Org.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID.String()
}

func adminActor(e *env) crmguard.Actor {
	return crmguard.Actor{OrgID: e.stack.Org.ID, UserID: e.stack.Org.PrimaryUserID, Source: crmguard.SourceCLI}
}
