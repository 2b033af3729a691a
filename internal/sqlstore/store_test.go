package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/pgtest"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// backends returns the stores this package's own tests run on: SQLite
// always; PostgreSQL, in a schema of its own, when CRMGUARD_TEST_POSTGRES
// is set. The Store contract itself is checked by the conformance suite
// (TestConformance, internal/storetest); the tests here cover what is
// particular to this package.
func backends(t *testing.T) map[string]func(t *testing.T) *sqlstore.Store {
	b := map[string]func(t *testing.T) *sqlstore.Store{
		"sqlite": func(t *testing.T) *sqlstore.Store {
			s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "t.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	if !pgtest.Available() {
		t.Log(pgtest.Env + " is unset: PostgreSQL runs skipped")
		return b
	}
	b["postgres"] = func(t *testing.T) *sqlstore.Store {
		s, err := sqlstore.OpenPostgres(context.Background(), pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return b
}

type fixture struct {
	org     *crmguard.Org
	profile *crmguard.Profile
	role    *crmguard.Role
	user    *crmguard.User
	ids     *crmguard.IDGen
	now     time.Time
}

func seed(t *testing.T, s *sqlstore.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	ids := crmguard.NewIDGen(nil)
	now := time.Now().UTC().Truncate(time.Millisecond)
	f := &fixture{ids: ids, now: now}
	f.org = &crmguard.Org{ID: ids.New(), CompanyName: "Acme", TimeZone: "UTC", Edition: "enterprise", CreatedTime: now, ModifiedTime: now}
	f.profile = &crmguard.Profile{ID: ids.New(), OrgID: f.org.ID, Name: "Administrator", DisplayLabel: "Administrator",
		Type: crmguard.ProfileNormal, Permissions: crmguard.AllPermissions(), CreatedTime: now, ModifiedTime: now}
	f.role = &crmguard.Role{ID: ids.New(), OrgID: f.org.ID, Name: "CEO", DisplayLabel: "CEO", CreatedTime: now, ModifiedTime: now}
	f.user = &crmguard.User{ID: ids.New(), OrgID: f.org.ID, Email: "Ann@Example.com", LastName: "Ann", RoleID: f.role.ID,
		ProfileID: f.profile.ID, Status: crmguard.UserActive, CreatedTime: now, ModifiedTime: now}
	err := s.InTx(ctx, func(tx crmguard.Store) error {
		if err := tx.CreateOrg(ctx, f.org); err != nil {
			return err
		}
		if err := tx.CreateProfile(ctx, f.profile); err != nil {
			return err
		}
		if err := tx.CreateRole(ctx, f.role); err != nil {
			return err
		}
		return tx.CreateUser(ctx, f.user)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	for i := 0; i < 2; i++ {
		s, err := sqlstore.OpenSQLite(context.Background(), path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		s.Close()
	}
}
