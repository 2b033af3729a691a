package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// TestWALShrinksAfterABurst: while a read holds old pages the log cannot
// start over and grows past walSizeLimit; once the read ends, the
// checkpointer copies it all and the log is cut back to the limit.
func TestWALShrinksAfterABurst(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	walSize := func() int64 {
		t.Helper()
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	write := func(i int, size int) {
		t.Helper()
		if err := s.InTx(ctx, func(tx crmguard.Store) error {
			// A new value each time: SQLite writes nothing for a value
			// that does not change.
			return tx.(*Store).SetSetting(ctx, fmt.Sprint("burst", i%8), fmt.Sprint(i)+strings.Repeat("x", size))
		}); err != nil {
			t.Fatal(err)
		}
	}
	read, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := read.QueryRowContext(ctx, `SELECT count(*) FROM settings`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	for i := 0; walSize() <= walSizeLimit; i++ {
		if i == 100 {
			t.Fatalf("the log is %d bytes after 100 writes of 1 MiB during a read", walSize())
		}
		write(i, 1<<20)
	}
	grown := walSize()
	if err := read.Rollback(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; walSize() > walSizeLimit; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("the log stays at %d bytes after the read ended (%d at its largest; limit %d)", walSize(), grown, walSizeLimit)
		}
		write(i, 100)
		time.Sleep(2 * checkpointGap)
	}
}
