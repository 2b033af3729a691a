package service_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// openService opens a service over a SQLite file, with no watcher running,
// so the test alone decides when the epoch may move.
func openService(t *testing.T, path string) *service.Service {
	t.Helper()
	st, err := sqlstore.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return service.New(st, service.Config{PasswordCost: 4}, nil)
}

// follower records the epochs a subscriber was told of.
type follower struct {
	mu   sync.Mutex
	seen []uint64
}

func (f *follower) follow(e uint64) {
	f.mu.Lock()
	f.seen = append(f.seen, e)
	f.mu.Unlock()
}

func (f *follower) last() (uint64, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		return 0, 0
	}
	return f.seen[len(f.seen)-1], len(f.seen)
}

// TestEpochMovesAfterEachCommittedChange: a committed change moves the
// epoch and tells every subscriber the new value; a change that fails
// moves nothing, so caches keep what is still true.
func TestEpochMovesAfterEachCommittedChange(t *testing.T) {
	ctx := context.Background()
	svc := openService(t, filepath.Join(t.TempDir(), "crmguard.db"))
	boot, err := svc.EnsureOrg(ctx, service.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	admin := crmguard.Actor{OrgID: boot.Org.ID, UserID: boot.Admin.ID, Source: crmguard.SourceCLI}
	var a, b follower
	svc.Subscribe(a.follow)
	svc.Subscribe(b.follow)

	before := svc.Epoch()
	if _, err := svc.AddIPRule(ctx, admin, service.IPRuleInput{Range: "198.51.100.0/24", AppliesTo: crmguard.IPRuleAll}); err != nil {
		t.Fatal(err)
	}
	after := svc.Epoch()
	if after <= before {
		t.Fatalf("epoch %d after a change, was %d", after, before)
	}
	for name, f := range map[string]*follower{"first": &a, "second": &b} {
		if e, n := f.last(); n != 1 || e != after {
			t.Errorf("%s subscriber: told %d times, last of epoch %d; want once, of %d", name, n, e, after)
		}
	}

	if _, err := svc.AddIPRule(ctx, admin, service.IPRuleInput{Range: "not a range", AppliesTo: crmguard.IPRuleAll}); err == nil {
		t.Fatal("a bad range was accepted")
	}
	if e := svc.Epoch(); e != after {
		t.Errorf("epoch moved from %d to %d on a change that failed", after, e)
	}
	if _, n := a.last(); n != 1 {
		t.Errorf("subscriber told %d times after a failed change, want still 1", n)
	}
}

// TestWatchSeesAnotherProcess: a change written through a second service
// over the same file (as the CLI writes beside a running server) moves the
// first service's epoch within a few polls, and Watch returns when its
// context ends.
func TestWatchSeesAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crmguard.db")
	server := openService(t, path)
	boot, err := server.EnsureOrg(ctx, service.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var f follower
	server.Subscribe(f.follow)
	wctx, cancel := context.WithCancel(ctx)
	wait := server.StartWatch(wctx, 5*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	time.Sleep(20 * time.Millisecond) // a few polls with nothing written
	if _, n := f.last(); n != 0 {
		t.Fatalf("the watcher moved the epoch %d times with nothing written", n)
	}

	cli := openService(t, path)
	admin := crmguard.Actor{OrgID: boot.Org.ID, UserID: boot.Admin.ID, Source: crmguard.SourceCLI}
	before := server.Epoch()
	if _, err := cli.AddIPRule(ctx, admin, service.IPRuleInput{Range: "203.0.113.0/24", AppliesTo: crmguard.IPRuleAll}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		if e, n := f.last(); n > 0 {
			if e <= before || e > server.Epoch() {
				t.Errorf("subscriber told of epoch %d; it was %d before the change and is %d now", e, before, server.Epoch())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a change written by another process never reached the subscriber")
		}
		time.Sleep(2 * time.Millisecond)
	}

	cancel()
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Watch did not return when its context ended")
	}
}
