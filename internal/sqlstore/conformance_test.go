package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/pgtest"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/storetest"
)

// TestConformance runs the storage conformance suite on every backend:
// SQLite always, PostgreSQL when CRMGUARD_TEST_POSTGRES holds a DSN (each
// subtest in a schema of its own; without the variable it is skipped with
// a message).
func TestConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) crmguard.Store {
			s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "t.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
	t.Run("memory", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) crmguard.Store {
			s, err := sqlstore.OpenMemory(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		if !pgtest.Available() {
			t.Skip(pgtest.Env + " is unset: this PostgreSQL test is skipped (CI always sets it)")
		}
		storetest.Run(t, func(t *testing.T) crmguard.Store {
			s, err := sqlstore.OpenPostgres(context.Background(), pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}
