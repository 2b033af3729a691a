package service_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// Turning a permission on by name (CLI, console) and by per-org ID (API)
// is one use case: both are audited as profile.update in one shape.
func TestProfileUpdateOneAuditShape(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	std, err := env.Svc.ProfileByRef(ctx, env.Org.ID, crmguard.ProfileStandard)
	if err != nil {
		t.Fatal(err)
	}
	name := "Shape"
	p, err := env.Svc.CloneProfile(ctx, env.Admin, std.ID, service.ProfileInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SetProfilePermissions(ctx, env.Admin, p.ID, map[string]bool{crmguard.PermManageRoles: true}); err != nil {
		t.Fatal(err)
	}
	ids, err := env.Svc.PermissionIDs(ctx, env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	i, _ := crmguard.PermissionIndex(crmguard.PermManageRoles)
	in := service.ProfileInput{Permissions: []service.PermissionChange{{ID: ids[i], Enabled: false}}}
	if _, err := env.Svc.UpdateProfile(ctx, env.Admin, p.ID, in); err != nil {
		t.Fatal(err)
	}
	events, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 2})
	if err != nil || len(events) != 2 {
		t.Fatalf("audit: %v %v", events, err)
	}
	for _, e := range events {
		for _, side := range []json.RawMessage{e.Before, e.After} {
			var m map[string]any
			if e.Action != "profile.update" || json.Unmarshal(side, &m) != nil || len(m) != 4 ||
				m["id"] != p.ID.String() || m["name"] != name || m["description"] == nil || m["permissions"] == nil {
				t.Errorf("%s: %s", e.Action, side)
			}
		}
	}
	// An unknown name is still INVALID_DATA naming it; nothing changes.
	_, err = env.Svc.SetProfilePermissions(ctx, env.Admin, p.ID, map[string]bool{"No_Such_Permission": true})
	if ce, ok := crmguard.AsError(err); !ok || ce.Code != crmguard.CodeInvalidData || ce.Details["name"] != "No_Such_Permission" {
		t.Errorf("unknown name: %v", err)
	}
}
