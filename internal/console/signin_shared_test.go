package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestSignInThrottleAcrossInstances: on PostgreSQL, five wrong passwords
// for one e-mail from one address, alternating between two instances'
// sign-in pages, lock that pair on both: the failures are counted in the
// shared database, not per instance.
func TestSignInThrottleAcrossInstances(t *testing.T) {
	env1 := testenv.New(t, testenv.Options{Backend: testenv.Postgres})
	env2 := testenv.New(t, testenv.Options{Database: env1.Path})
	const password = "the admin's own password"
	email := env1.Boot.Admin.Email
	if err := env1.Svc.ChangePassword(context.Background(), env1.Admin, env1.Boot.AdminPassword, password); err != nil {
		t.Fatal(err)
	}
	envs := []*testenv.Env{env1, env2}
	for i := range 5 {
		if status, _, body := signInForm(t, envs[i%2], client(t), email, "wrong"); status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d on instance %d: %d\n%s", i+1, i%2+1, status, body)
		}
	}
	for i, env := range envs {
		status, _, body := signInForm(t, env, client(t), email, password)
		if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
			t.Errorf("the right password on instance %d after five failures across both: %d, want 429\n%s", i+1, status, body)
		}
	}
}
