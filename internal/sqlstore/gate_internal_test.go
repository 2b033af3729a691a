package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// TestGateTurns: readers read together; a write waits for them to give
// their turns back, and later readers wait behind it; a turn not given in
// time is gone without (0, no error); a caller whose context ends stops
// waiting with its error.
func TestGateTurns(t *testing.T) {
	ctx := context.Background()
	g := newGate(50 * time.Millisecond)
	r1, err1 := g.take(ctx, 1)
	r2, err2 := g.take(ctx, 1)
	if r1 != 1 || r2 != 1 || err1 != nil || err2 != nil {
		t.Fatalf("two readers: %d %v, %d %v; want both given", r1, err1, r2, err2)
	}
	slow := newGate(time.Minute)
	slow.take(ctx, 1)
	wrote := make(chan int64, 1)
	go func() {
		n, _ := slow.take(ctx, gateAll)
		wrote <- n
	}()
	for slow.sem.TryAcquire(1) { // until the write waits: it holds back later readers
		slow.give(1)
		time.Sleep(time.Millisecond)
	}
	select {
	case n := <-wrote:
		t.Fatalf("write turn (%d) given while a reader reads", n)
	case <-time.After(20 * time.Millisecond):
	}
	slow.give(1)
	if n := <-wrote; n != gateAll {
		t.Fatalf("write turn = %d once the reader was done, want %d", n, gateAll)
	}

	// g: two readers hold their turns; a write waits out the timeout and
	// goes without; so does a reader behind a held write turn.
	start := time.Now()
	if n, err := g.take(ctx, gateAll); n != 0 || err != nil {
		t.Fatalf("write turn while readers read = %d, %v; want 0, nil after the wait", n, err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("write gave up after %v, before its wait of 50ms", d)
	}
	g.give(r1)
	g.give(r2)
	w, _ := g.take(ctx, gateAll)
	if n, err := g.take(ctx, 1); n != 0 || err != nil {
		t.Fatalf("read turn while a write holds = %d, %v; want 0, nil", n, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if n, err := g.take(cancelled, 1); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("read turn with its context cancelled = %d, %v; want 0, context.Canceled", n, err)
	}
	g.give(w)
	if n, err := g.take(ctx, 1); n != 1 || err != nil {
		t.Fatalf("read turn after the write = %d, %v", n, err)
	}
}

// TestMemoryTakesTurns: on the in-memory database, concurrent writers and
// readers all get through (none fails with "database is locked") and every
// write is there afterwards.
func TestMemoryTakesTurns(t *testing.T) {
	ctx := context.Background()
	s, err := OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, readers, each = 4, 4, 100
	var wg sync.WaitGroup
	errs := make(chan error, (writers+readers)*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				errs <- s.InTx(ctx, func(tx crmguard.Store) error {
					return tx.(*Store).SetSetting(ctx, fmt.Sprintf("k%d-%d", w, i), "v")
				})
			}
		}(w)
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.Setting(ctx, "k0-0"); err != nil && !errors.Is(err, crmguard.ErrNotFound) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for w := 0; w < writers; w++ {
		for i := 0; i < each; i++ {
			if v, err := s.Setting(ctx, fmt.Sprintf("k%d-%d", w, i)); v != "v" || err != nil {
				t.Fatalf("k%d-%d = %q, %v after the writes", w, i, v, err)
			}
		}
	}
	if n := s.turns.without.Load(); n != 0 {
		t.Fatalf("%d turns gone without", n)
	}
}

// TestMemoryReadersWaitAtTheGate: while a write transaction is open, reads
// (on connections already open or opened for them) wait at the gate, not
// in SQLite's busy handler, and all go on once it commits.
func TestMemoryReadersWaitAtTheGate(t *testing.T) {
	ctx := context.Background()
	s, err := OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release, writing := make(chan struct{}), make(chan struct{})
	wrote := make(chan error, 1)
	go func() {
		wrote <- s.InTx(ctx, func(tx crmguard.Store) error {
			if err := tx.(*Store).SetSetting(ctx, "k", "v"); err != nil {
				return err
			}
			close(writing)
			<-release
			return nil
		})
	}()
	<-writing
	const readers = 4 // the reader pool's size
	read := make(chan error, readers)
	for i := 0; i < readers; i++ {
		go func() {
			v, err := s.Setting(ctx, "k")
			if err == nil && v != "v" {
				err = fmt.Errorf("read %q before the write committed, want %q after", v, "v")
			}
			read <- err
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.turns.waiting.Load() < readers {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d reads wait at the gate during a write", s.turns.waiting.Load(), readers)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < readers; i++ {
		if err := <-read; err != nil {
			t.Fatal(err)
		}
	}
	if n := s.turns.without.Load(); n != 0 {
		t.Fatalf("%d turns gone without", n)
	}
}

// TestMemoryReadInsideWriteFails: a read on the store's readers from inside
// its own write transaction waits for a turn it cannot get; it fails with
// ErrBusy once the busy timeout has passed twice (the gate's, then
// SQLite's), and the store goes on working. It must not hang.
func TestMemoryReadInsideWriteFails(t *testing.T) {
	ctx := context.Background()
	s, err := OpenMemory(ctx, WithBusyTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(ctx, func(tx crmguard.Store) error {
			_, err := s.Setting(ctx, "k")
			return err
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, crmguard.ErrBusy) {
			t.Fatalf("read inside the write = %v, want ErrBusy", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a read inside a write transaction hangs")
	}
	if err := s.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Setting(ctx, "k"); v != "v" || err != nil {
		t.Fatalf("after: %q, %v", v, err)
	}
}
