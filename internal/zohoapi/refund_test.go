package zohoapi_test

import (
	"io"
	"testing"

	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestRefusedByPermissionSpendsNoCredit: a call the pipeline lets through
// but the operation's own permission refuses (step 8: a Sales user without
// Manage Users adding a user) is a refused call, and spends no credit.
func TestRefusedByPermissionSpendsNoCredit(t *testing.T) {
	const credits = 3
	env := testenv.New(t, testenv.Options{Demo: true, Guard: guard.Config{Credits: credits}})
	tok := env.Token(t, "patricia.boyle@example.com", "ZohoCRM.users.ALL")
	for i := 0; i < 10; i++ {
		resp := env.Do(t, "POST", "/crm/v8/users", tok, `{"users":[{"last_name":"X","email":"x@example.com","role":"1","profile":"1"}]}`)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Fatalf("POST /users by a Sales user: %d %s, want 403 NO_PERMISSION", resp.StatusCode, b)
		}
	}
	for i := 0; i < credits; i++ {
		resp := env.Do(t, "GET", "/crm/v8/users?type=ActiveUsers", tok, "")
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("call %d of %d after 10 refused calls: %d; the refusals spent credits", i+1, credits, resp.StatusCode)
		}
	}
	resp := env.Do(t, "GET", "/crm/v8/users", tok, "")
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Errorf("call past the budget: %d, want 429", resp.StatusCode)
	}
}
