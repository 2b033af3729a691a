package emulator_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/server"
)

// BenchmarkReset measures POST /__emulator/reset end to end (HTTP, key
// check, the restore transaction, the new epoch) on a SQLite file, for the
// demo org and for the demo org plus 10,000 users, and on an in-memory
// database. Each reset follows a change, so it always has work to undo.
func BenchmarkReset(b *testing.B) {
	for _, c := range []struct {
		name     string
		users    int
		inMemory bool
	}{{"demo", 0, false}, {"10k_users", 10_000, false}, {"demo_in_memory", 0, true}, {"10k_users_in_memory", 10_000, true}} {
		b.Run(c.name, func(b *testing.B) {
			e := start(b, server.Options{Demo: true, InMemory: c.inMemory, PollInterval: -1, Emulator: &emulator.Config{Key: testKey}})
			ctx := context.Background()
			admin := crmguard.Actor{OrgID: e.stack.Org.ID, UserID: e.stack.Org.PrimaryUserID, Source: crmguard.SourceCLI}
			if c.users > 0 {
				if _, err := e.stack.Service.SeedUsers(ctx, admin, c.users, nil); err != nil {
					b.Fatal(err)
				}
				// The benchmark's starting state includes the seeded users.
				if err := e.stack.Emulator.MarkInitial(ctx); err != nil {
					b.Fatal(err)
				}
			}
			snap, err := e.stack.Store.Snapshot(ctx)
			if err != nil {
				b.Fatal(err)
			}
			rows := 0
			for _, t := range snap.Tables {
				rows += len(t.Rows)
			}
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				if _, err := e.stack.Service.IssueTokens(ctx, admin, admin.UserID, "ZohoCRM.users.ALL", false); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				e.emu(b, http.StatusOK, "POST", "/__emulator/reset", "")
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
