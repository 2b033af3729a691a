package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/crmguard/crmguard"
)

// TestTerritoryStore covers the territory methods on every backend: a
// duplicate name in any case and a second membership are ErrConflict (the
// constraints catch them, not a read first), and a deleted territory takes
// its memberships with it.
func TestTerritoryStore(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			f := seed(t, s)
			ctx := context.Background()
			mk := func(name string, parent crmguard.ID) *crmguard.Territory {
				return &crmguard.Territory{ID: f.ids.New(), OrgID: f.org.ID, Name: name, ReportingTo: parent, Manager: f.user.ID,
					PermissionType: crmguard.TerritoryReadOnly, CreatedBy: f.user.ID, ModifiedBy: f.user.ID, CreatedTime: f.now, ModifiedTime: f.now}
			}
			root, east := mk("Root", 0), mk("East", 0)
			east.ReportingTo = root.ID
			for _, tr := range []*crmguard.Territory{root, east} {
				if err := s.CreateTerritory(ctx, tr); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.CreateTerritory(ctx, mk("EAST", root.ID)); !errors.Is(err, crmguard.ErrConflict) {
				t.Errorf("duplicate name: %v, want ErrConflict", err)
			}
			got, err := s.GetTerritory(ctx, f.org.ID, east.ID)
			if err != nil || *got != *east {
				t.Fatalf("get: %+v %v, want %+v", got, err, east)
			}
			east.Name, east.Description, east.Manager = "Eastern", "d", 0
			if err := s.UpdateTerritory(ctx, east); err != nil {
				t.Fatal(err)
			}
			if all, err := s.ListTerritories(ctx, f.org.ID); err != nil || len(all) != 2 || all[1].Name != "Eastern" || all[1].Manager != 0 {
				t.Fatalf("list: %v %v", all, err)
			}
			if err := s.AddTerritoryUser(ctx, f.org.ID, east.ID, f.user.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.AddTerritoryUser(ctx, f.org.ID, east.ID, f.user.ID); !errors.Is(err, crmguard.ErrConflict) {
				t.Errorf("second membership: %v, want ErrConflict", err)
			}
			if mine, err := s.ListUserTerritories(ctx, f.org.ID, f.user.ID); err != nil || len(mine) != 1 || mine[0].ID != east.ID {
				t.Fatalf("user territories: %v %v", mine, err)
			}
			if ids, err := s.ListTerritoryUserIDs(ctx, f.org.ID, east.ID); err != nil || len(ids) != 1 || ids[0] != f.user.ID {
				t.Fatalf("territory users: %v %v", ids, err)
			}
			if err := s.RemoveTerritoryUser(ctx, f.org.ID, root.ID, f.user.ID); !errors.Is(err, crmguard.ErrNotFound) {
				t.Errorf("remove a membership that is not: %v, want ErrNotFound", err)
			}
			if err := s.DeleteTerritory(ctx, f.org.ID, east.ID); err != nil {
				t.Fatal(err)
			}
			if mine, err := s.ListUserTerritories(ctx, f.org.ID, f.user.ID); err != nil || len(mine) != 0 {
				t.Errorf("memberships after the delete: %v %v", mine, err)
			}
			if _, err := s.GetTerritory(ctx, f.org.ID, east.ID); !errors.Is(err, crmguard.ErrNotFound) {
				t.Errorf("deleted territory: %v, want ErrNotFound", err)
			}
			if err := s.DeleteTerritory(ctx, f.org.ID, east.ID); !errors.Is(err, crmguard.ErrNotFound) {
				t.Errorf("delete twice: %v, want ErrNotFound", err)
			}
		})
	}
}
