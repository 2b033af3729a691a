package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// TestGroupCommit: writes that queue behind a running one commit in one
// group, each all or nothing on its own: a write whose fn fails, panics or
// whose context ended leaves nothing, the others all commit, and each
// caller gets its own answer.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	errMine := errors.New("this write fails")
	release, started := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() { // holds the connection until the others queue
		first <- s.InTx(ctx, func(tx crmguard.Store) error {
			close(started)
			<-release
			return tx.(*Store).SetSetting(ctx, "w-first", "1")
		})
	}()
	<-started
	const n = 24
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	results := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			c := ctx
			if i%6 == 5 {
				c = cancelled
			}
			results[i] = s.InTx(c, func(tx crmguard.Store) error {
				if err := tx.(*Store).SetSetting(ctx, fmt.Sprintf("w%d", i), "1"); err != nil {
					return err
				}
				switch i % 6 {
				case 1:
					return errMine
				case 3:
					panic("boom")
				}
				return nil
			})
		}(i)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		s.group.mu.Lock()
		queued := len(s.group.queue)
		s.group.mu.Unlock()
		if queued == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d writes queued", queued, n)
		}
	}
	close(release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		_, err := s.Setting(ctx, fmt.Sprintf("w%d", i))
		stored := err == nil
		switch i % 6 {
		case 1:
			if !errors.Is(results[i], errMine) || stored {
				t.Errorf("write %d failed: answer %v, stored %v", i, results[i], stored)
			}
		case 3:
			if panics[i] != "boom" || stored {
				t.Errorf("write %d panicked: caller's panic %v, stored %v", i, panics[i], stored)
			}
		case 5:
			if !errors.Is(results[i], context.Canceled) || stored {
				t.Errorf("write %d cancelled: answer %v, stored %v", i, results[i], stored)
			}
		default:
			if results[i] != nil || panics[i] != nil || !stored {
				t.Errorf("write %d: answer %v, panic %v, stored %v", i, results[i], panics[i], stored)
			}
		}
	}
	// The store still takes writes, alone and in groups.
	if err := s.SetSetting(ctx, "after", "1"); err != nil {
		t.Fatal(err)
	}
}

// TestPanicInWriteFreesTheConnection: a write that panics alone rolls back
// and gives the write connection back, so later writes still run.
func TestPanicInWriteFreesTheConnection(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the fn's panic", p)
			}
		}()
		_ = s.InTx(ctx, func(tx crmguard.Store) error {
			if err := tx.(*Store).SetSetting(ctx, "lost", "1"); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.SetSetting(c, "after", "1"); err != nil {
		t.Fatalf("a write after the panic: %v", err)
	}
	if _, err := s.Setting(ctx, "lost"); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("the panicking write was kept: %v", err)
	}
}
