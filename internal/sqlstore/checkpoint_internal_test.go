package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// TestCheckpointer: a SQLite file's commits are followed by a checkpoint on
// the checkpointer's connection, a burst of them by few (one per gap at
// most), none without a commit; Close stops it. The in-memory database
// (no write-ahead log) has none.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * checkpointGap)
	if n := s.ckpt.runs.Load(); n != 0 {
		t.Fatalf("%d checkpoints before any write", n)
	}
	start := time.Now()
	const writes = 200
	for i := 0; i < writes; i++ {
		if err := s.InTx(ctx, func(tx crmguard.Store) error {
			return tx.(*Store).SetSetting(ctx, fmt.Sprint("k", i), "v")
		}); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	deadline := time.Now().Add(10 * time.Second)
	for s.ckpt.runs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	n := s.ckpt.runs.Load()
	if n == 0 {
		t.Fatal("no checkpoint after 200 commits")
	}
	if most := int64(elapsed/checkpointGap) + 2; n > most {
		t.Fatalf("%d checkpoints for %d commits in %v: more than one per %v", n, writes, elapsed, checkpointGap)
	}
	ck := s.ckpt
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ck.done:
	default:
		t.Fatal("the checkpointer runs on after Close")
	}

	m, err := OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.ckpt != nil {
		t.Fatal("the in-memory database has a checkpointer")
	}
}
