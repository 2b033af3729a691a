package zohoapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync/atomic"
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
// chunks, so API writes made while it runs wait behind one chunk, well
// within a one-second lock timeout, instead of failing.
func TestSeedLeavesRoomForTheAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 60,000 users")
	}
	env := testenv.New(t, testenv.Options{BusyTimeout: time.Second})
	tok := env.Token(t, "", "ZohoCRM.users.ALL")
	admin := env.User(t, "")

	other := secondStore(t, env)
	seeder := service.New(other, service.Config{}, nil)
	var chunks atomic.Int32
	seeded := make(chan error, 1)
	go func() {
		_, err := seeder.SeedUsers(context.Background(), env.Admin, 60000, func(int) { chunks.Add(1) })
		seeded <- err
	}()
	writes, failed := 0, 0
	var firstFailure string
	for running := true; running; {
		select {
		case err := <-seeded:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
			if chunks.Load() == 0 {
				time.Sleep(time.Millisecond)
				continue
			}
			resp := env.Do(t, "PUT", "/crm/v8/users/"+admin.ID.String(), tok, fmt.Sprintf(`{"users":[{"first_name":"W%d"}]}`, writes))
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			writes++
			if resp.StatusCode != 200 {
				failed++
				firstFailure = fmt.Sprintf("%d %s", resp.StatusCode, body)
			}
		}
	}
	if chunks.Load() < 2 {
		t.Fatalf("the seed committed %d chunks; want several", chunks.Load())
	}
	if writes == 0 || failed > 0 {
		t.Fatalf("%d of %d API writes during the seed failed (first: %s)", failed, writes, firstFailure)
	}
	n, err := env.Store.CountUsers(context.Background(), env.Org.ID, crmguard.UserActive)
	if err != nil || n < 57000 {
		t.Fatalf("active users after the seed: %d %v", n, err)
	}
	t.Logf("%d API writes succeeded while %d chunks were seeded", writes, chunks.Load())
}
