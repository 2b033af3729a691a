package service_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestSharedThrottleKeepsItsRules: on PostgreSQL, where the failures live in
// the shared database, the throttle answers as in memory: five failures
// lock the pair for 15 minutes and no other address; a success starts the
// pair afresh; thirty concurrent guesses spread over two instances get
// five password checks.
func TestSharedThrottleKeepsItsRules(t *testing.T) {
	env := testenv.New(t, testenv.Options{Backend: testenv.Postgres})
	other := testenv.New(t, testenv.Options{Database: env.Path})
	email := env.Boot.Admin.Email
	if err := env.Svc.ChangePassword(context.Background(), env.Admin, env.Boot.AdminPassword, ownPassword); err != nil {
		t.Fatal(err)
	}

	// Four failures, then the right password: the pair starts afresh.
	for i := range 4 {
		if err := login(env, "192.0.2.1", email, "wrong"); !errors.Is(err, service.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if err := login(other, "192.0.2.1", email, ownPassword); err != nil {
		t.Fatalf("the right password after four failures: %v", err)
	}
	for i := range 5 {
		if err := login(other, "192.0.2.1", email, "wrong"); !errors.Is(err, service.ErrBadCredentials) {
			t.Fatalf("attempt %d after the success: %v", i+1, err)
		}
	}
	var te *service.ThrottledError
	if err := login(env, "192.0.2.1", email, ownPassword); !errors.As(err, &te) || te.Minutes() != 15 {
		t.Fatalf("the right password after five failures: %v, want a 15-minute wait", err)
	}
	if err := login(env, "192.0.2.2", email, ownPassword); err != nil {
		t.Errorf("from another address: %v", err)
	}
	env.Clock.Advance(15 * time.Minute)
	other.Clock.Advance(15 * time.Minute)
	if err := login(env, "192.0.2.1", email, ownPassword); err != nil {
		t.Errorf("after the window: %v", err)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for i := range 30 {
		e := env
		if i%2 == 1 {
			e = other
		}
		wg.Go(func() {
			err := login(e, "192.0.2.50", email, "wrong")
			k := err.Error()
			switch {
			case errors.Is(err, service.ErrBadCredentials):
				k = "bad"
			case throttled(err):
				k = "throttled"
			}
			mu.Lock()
			counts[k]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if counts["bad"] != 5 || counts["throttled"] != 25 {
		t.Errorf("30 concurrent guesses over two instances: %v, want 5 checked and 25 throttled", counts)
	}

	// The log's keys are keyed hashes: not the e-mail or the address, and
	// not their plain SHA-256 either, which a guess over every IPv4 address
	// or a list of e-mails would find.
	db, err := sql.Open("pgx", env.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var keys []string
	rows, err := db.Query(`SELECT DISTINCT key FROM signin_failures`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if len(keys) == 0 {
		t.Fatal("no failure in the shared log")
	}
	plain := sha256.Sum256([]byte("addr:192.0.2.50"))
	for _, k := range keys {
		if k == hex.EncodeToString(plain[:]) || strings.Contains(k, "192.0.2") || strings.Contains(k, "@") {
			t.Errorf("the shared log holds the key %q, readable without the installation key", k)
		}
	}
}
