package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// benchUsers is how many users the read benchmarks seed.
const benchUsers = 3000

// benchStore opens a store (SQLite in a temporary directory, or the
// PostgreSQL database CRMGUARD_BENCH_POSTGRES names when it is set) and
// seeds an org of benchUsers users shaped like crmguard's seeded ones.
func benchStore(b *testing.B) (*sqlstore.Store, crmguard.ID, []crmguard.ID) {
	b.Helper()
	ctx := context.Background()
	var s *sqlstore.Store
	var err error
	if dsn := os.Getenv("CRMGUARD_BENCH_POSTGRES"); dsn != "" {
		s, err = sqlstore.OpenPostgres(ctx, dsn)
	} else {
		s, err = sqlstore.OpenSQLite(ctx, filepath.Join(b.TempDir(), "b.db"))
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ids := crmguard.NewIDGen(nil)
	now := time.Now().UTC().Truncate(time.Millisecond)
	org := &crmguard.Org{ID: ids.New(), CompanyName: "Acme", TimeZone: "UTC", Edition: "enterprise", CreatedTime: now, ModifiedTime: now}
	profile := &crmguard.Profile{ID: ids.New(), OrgID: org.ID, Name: "Standard", DisplayLabel: "Standard",
		Type: crmguard.ProfileNormal, Permissions: crmguard.AllPermissions(), CreatedTime: now, ModifiedTime: now}
	role := &crmguard.Role{ID: ids.New(), OrgID: org.ID, Name: "CEO", DisplayLabel: "CEO", CreatedTime: now, ModifiedTime: now}
	admin := ids.New()
	users := make([]*crmguard.User, benchUsers)
	uids := make([]crmguard.ID, benchUsers)
	for i := range users {
		users[i] = &crmguard.User{ID: ids.New(), OrgID: org.ID, FirstName: "Ava", LastName: "Bauer",
			Email:  fmt.Sprintf("ava.bauer.1.%d@example.test", i),
			RoleID: role.ID, ProfileID: profile.ID, Status: crmguard.UserActive, Confirmed: i%20 != 10,
			TimeZone: "UTC", Locale: "en_US", CreatedBy: admin, ModifiedBy: admin, CreatedTime: now, ModifiedTime: now}
		uids[i] = users[i].ID
	}
	err = s.InTx(ctx, func(tx crmguard.Store) error {
		if err := tx.CreateOrg(ctx, org); err != nil {
			return err
		}
		if err := tx.CreateProfile(ctx, profile); err != nil {
			return err
		}
		if err := tx.CreateRole(ctx, role); err != nil {
			return err
		}
		return tx.CreateUsers(ctx, users)
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, org.ID, uids
}

// reportCPU adds cpu-ns/op, the process's CPU time (all threads, the
// garbage collector's included) per iteration since the timer's reset:
// on a shared machine it moves less than the wall time. Call it with
// the time cpuNow gave at the start and at b.ResetTimer.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScanUsers200 reads pages of 200 users by ID, as a cold
// GET /users?per_page=200 does (one primary-key range walk a page).
func BenchmarkScanUsers200(b *testing.B) {
	s, org, ids := benchStore(b)
	ctx := context.Background()
	pages := len(ids) / 200
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuNow())
	for i := 0; i < b.N; i++ {
		p := i % pages
		users, err := s.GetUsers(ctx, org, ids[p*200:(p+1)*200])
		if err != nil || len(users) != 200 {
			b.Fatal(len(users), err)
		}
	}
}

// BenchmarkGetUser reads one user by ID, as a cold GET /users/{id} does.
func BenchmarkGetUser(b *testing.B) {
	s, org, ids := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuNow())
	for i := 0; i < b.N; i++ {
		if _, err := s.GetUser(ctx, org, ids[(i*7)%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}
