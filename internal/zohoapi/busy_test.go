package zohoapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/testenv"
)

// secondStore opens the test's database a second time, as another process
// (the CLI) would.
func secondStore(t *testing.T, env *testenv.Env) *sqlstore.Store {
	t.Helper()
	other, err := sqlstore.OpenSQLite(context.Background(), env.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// TestBusyDatabaseIs503: while another process holds SQLite's write lock
// past the lock timeout, an API write answers 503 with Retry-After in
// Zoho's error shape (not a 500), and changes nothing.
func TestBusyDatabaseIs503(t *testing.T) {
	env := testenv.New(t, testenv.Options{BusyTimeout: 200 * time.Millisecond})
	tok := env.Token(t, "", "ZohoCRM.users.ALL")
	admin := env.User(t, "")

	other := secondStore(t, env)
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- other.InTx(context.Background(), func(tx crmguard.Store) error {
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	resp := env.Do(t, "PUT", "/crm/v8/users/"+admin.ID.String(), tok, `{"users":[{"first_name":"Busy"}]}`)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("PUT while the database is locked: %d Retry-After %q %s; want 503 with Retry-After 1", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	var e struct{ Code, Message, Status string }
	if err := json.Unmarshal(body, &e); err != nil || e.Code != crmguard.CodeInternalError || e.Status != "error" || e.Message == "" {
		t.Errorf("body %s: want Zoho's error shape", body)
	}
	if u := env.User(t, ""); u.FirstName == "Busy" {
		t.Error("the refused write was applied")
	}
	// Once the lock is gone the same request succeeds.
	resp = env.Do(t, "PUT", "/crm/v8/users/"+admin.ID.String(), tok, `{"users":[{"first_name":"Busy"}]}`)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("PUT after the lock: %d", resp.StatusCode)
	}
}

// TestSeedLeavesRoomForTheAPI: a bulk seed in another process commits in
// chunks and holds no lock between them, so an API write made between two
// chunks goes through at once (here with a lock timeout of 200 ms), where a
// seed in one transaction held the lock for its whole run. The write is
// made from the seed's progress report, which comes after each chunk's
// commit: no timing is involved.
func TestSeedLeavesRoomForTheAPI(t *testing.T) {
	env := testenv.New(t, testenv.Options{BusyTimeout: 200 * time.Millisecond})
	tok := env.Token(t, "", "ZohoCRM.users.ALL")
	admin := env.User(t, "")
	seeder := service.New(secondStore(t, env), service.Config{}, nil)
	var chunks, writes int
	var failures []string
	_, err := seeder.SeedUsers(context.Background(), env.Admin, 10000, func(done int) {
		chunks++
		resp := env.Do(t, "PUT", "/crm/v8/users/"+admin.ID.String(), tok, fmt.Sprintf(`{"users":[{"first_name":"W%d"}]}`, done))
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		writes++
		if resp.StatusCode != 200 {
			failures = append(failures, fmt.Sprintf("after %d users: %d %s", done, resp.StatusCode, body))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if chunks < 5 || len(failures) > 0 {
		t.Fatalf("%d chunks; %d of %d API writes between chunks failed: %v", chunks, len(failures), writes, failures)
	}
	n, err := env.Store.CountUsers(context.Background(), env.Org.ID, crmguard.UserActive)
	if err != nil || n != 1+10000-10000/20 {
		t.Fatalf("active users after the seed: %d %v", n, err)
	}
}
