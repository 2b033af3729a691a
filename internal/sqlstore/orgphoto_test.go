package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestOrgPhoto: one photo per org, replaced by the next, removed once.
func TestOrgPhoto(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx, s, org := context.Background(), env.Store, env.Org.ID
	if id, err := s.OrgPhotoID(ctx, org); err != nil || id != 0 {
		t.Fatalf("no photo yet: %v %v", id, err)
	}
	if _, _, _, err := s.GetOrgPhoto(ctx, org); !errors.Is(err, crmguard.ErrNotFound) {
		t.Fatalf("GetOrgPhoto without one: %v", err)
	}
	now := time.Now()
	for i, img := range [][]byte{[]byte("first"), []byte("second")} {
		if err := s.PutOrgPhoto(ctx, org, crmguard.ID(100+i), "image/png", img, env.Admin.UserID, now); err != nil {
			t.Fatal(err)
		}
	}
	id, typ, data, err := s.GetOrgPhoto(ctx, org)
	if err != nil || id != 101 || typ != "image/png" || !bytes.Equal(data, []byte("second")) {
		t.Fatalf("after two puts: %v %q %q %v", id, typ, data, err)
	}
	if got, _ := s.OrgPhotoID(ctx, org); got != 101 {
		t.Errorf("OrgPhotoID: %v", got)
	}
	if err := s.DeleteOrgPhoto(ctx, org); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOrgPhoto(ctx, org); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

// TestPrimaryAdminCreatedByItself: first start records the admin as
// created and modified by itself, and migration 0013 does the same for an
// org made before it.
func TestPrimaryAdminCreatedByItself(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	admin := env.User(t, "")
	if admin.CreatedBy != admin.ID || admin.ModifiedBy != admin.ID {
		t.Fatalf("bootstrap: created_by %v, modified_by %v, want %v", admin.CreatedBy, admin.ModifiedBy, admin.ID)
	}
	db, err := sql.Open("sqlite", env.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE users SET created_by = 0, modified_by = 0 WHERE id = ?`, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version LIKE '0013\_%' ESCAPE '\'`); err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.OpenSQLite(ctx, env.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.GetUser(ctx, env.Org.ID, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.CreatedBy != admin.ID || u.ModifiedBy != admin.ID {
		t.Errorf("after the migration: created_by %v, modified_by %v, want %v", u.CreatedBy, u.ModifiedBy, admin.ID)
	}
}
