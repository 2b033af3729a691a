package crmguardtest

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/server"
)

// BenchmarkStart is the cost of one server as a test pays it: Start (an
// in-memory database, migrations, the org, the emulator's initial
// snapshot, a listener, a token) and the Close that follows.
func BenchmarkStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		srv, err := New()
		if err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
}

// BenchmarkStartParts splits the start into what costs, to say where the
// time goes.
func BenchmarkStartParts(b *testing.B) {
	ctx := context.Background()
	b.Run("open-memory", func(b *testing.B) {
		for b.Loop() {
			st, err := server.Open(ctx, server.Options{InMemory: true, Service: Config{}.service()})
			if err != nil {
				b.Fatal(err)
			}
			st.Close()
		}
	})
	b.Run("open-memory-emulator", func(b *testing.B) {
		for b.Loop() {
			st, err := server.Open(ctx, server.Options{InMemory: true, Service: Config{}.service(), Emulator: &emulator.Config{}})
			if err != nil {
				b.Fatal(err)
			}
			st.Close()
		}
	})
	b.Run("open-file", func(b *testing.B) {
		dir := b.TempDir()
		i := 0
		for b.Loop() {
			i++
			// A new file each time: reopening one would skip the bootstrap.
			st, err := server.Open(ctx, server.Options{Path: filepath.Join(dir, strconv.Itoa(i)+".db"), Service: Config{}.service(), PollInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			st.Close()
		}
	})
	b.Run("open-memory-default-bcrypt", func(b *testing.B) {
		for b.Loop() {
			st, err := server.Open(ctx, server.Options{InMemory: true})
			if err != nil {
				b.Fatal(err)
			}
			st.Close()
		}
	})
}
