package service_test

import (
	"context"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestCustomFieldTextIsClean: a custom field's label and pick list values
// (written from the CLI, not JSON) are refused with NUL or invalid UTF-8.
func TestCustomFieldTextIsClean(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	for _, nf := range []service.NewField{
		{Label: "Badge\x00", Type: "single-line"},
		{Label: "Badge \xff", Type: "single-line"},
		{Label: "Shift", Type: "picklist", PickList: []string{"Day", "Ni\x00ght"}},
		{Label: "Shift", Type: "picklist", PickList: []string{"Day", "Ni\xc3ght"}},
	} {
		if _, err := env.Svc.AddField(ctx, env.Admin, nf); errCode(err) != crmguard.CodeInvalidData {
			t.Errorf("%q %q: %v", nf.Label, nf.PickList, err)
		}
	}
	if _, err := env.Svc.AddField(ctx, env.Admin, service.NewField{Label: "Équipe", Type: "picklist", PickList: []string{"Día", "Nuit"}}); err != nil {
		t.Errorf("clean text: %v", err)
	}
}
