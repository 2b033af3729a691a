package service_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestUpdateSeesAFieldAddedAfterACachedRead: user writes validate against
// cached fields; a field added after they were read (through the service,
// or around it and announced with Changed) is known to the next write.
func TestUpdateSeesAFieldAddedAfterACachedRead(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	update := func(key string) error {
		t.Helper()
		up := service.UserUpdate{ID: env.Org.PrimaryUserID, HasID: true,
			Input: service.UserInput{Fields: map[string]json.RawMessage{key: json.RawMessage(`"A1"`)}}}
		res, err := env.Svc.UpdateUsers(ctx, env.Admin, []service.UserUpdate{up})
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	if err := update("Badge_Number"); err == nil {
		t.Fatal("an unknown field was accepted")
	}
	if _, err := env.Svc.AddField(ctx, env.Admin, service.NewField{Label: "Badge Number", Type: "text"}); err != nil {
		t.Fatal(err)
	}
	if err := update("Badge_Number"); err != nil {
		t.Fatalf("the field added through the service: %v", err)
	}
	f := &crmguard.Field{ID: crmguard.ID(9_000_000_001), OrgID: env.Org.ID, Module: crmguard.ModuleUsers, APIName: "Desk",
		Label: "Desk", Type: crmguard.FieldText, Length: 255, Custom: true, CreatedTime: env.Svc.Now()}
	if err := update("Desk"); err == nil {
		t.Fatal("an unknown field was accepted")
	}
	if err := env.Store.CreateField(ctx, f); err != nil {
		t.Fatal(err)
	}
	env.Svc.Changed()
	if err := update("Desk"); err != nil {
		t.Fatalf("the field added around the service: %v", err)
	}
}
