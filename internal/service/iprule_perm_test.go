package service_test

import (
	"context"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestIPRulesAndRevocationAuthorizeInTheService: IP rules need
// Manage_Security whichever transport calls, and revoking a token twice
// says so plainly instead of failing with an internal error.
func TestIPRulesAndRevocationAuthorizeInTheService(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	sales := env.User(t, "patricia.boyle@example.com")
	salesActor := crmguard.Actor{OrgID: env.Org.ID, UserID: sales.ID, Source: crmguard.SourceConsole}
	_, err := env.Svc.AddIPRule(ctx, salesActor, service.IPRuleInput{Range: "203.0.113.0/24", AppliesTo: crmguard.IPRuleAll})
	if ce, ok := crmguard.AsError(err); !ok || ce.Code != crmguard.CodeNoPermission {
		t.Fatalf("a Sales user adds an IP rule: %v, want NO_PERMISSION", err)
	}
	r, err := env.Svc.AddIPRule(ctx, env.Admin, service.IPRuleInput{Range: "203.0.113.0/24", AppliesTo: crmguard.IPRuleAll})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Svc.RemoveIPRule(ctx, salesActor, r.ID); err == nil {
		t.Fatal("a Sales user removed an IP rule")
	}
	if rules, _ := env.Svc.ListIPRules(ctx, env.Org.ID); len(rules) != 1 {
		t.Fatalf("rules after the refused removal: %d", len(rules))
	}

	tok, err := env.Svc.IssueTokens(ctx, env.Admin, sales.ID, "ZohoCRM.org.READ", true)
	if err != nil {
		t.Fatal(err)
	}
	refresh, access, err := env.Svc.ListTokens(ctx, env.Org.ID, sales.ID)
	if err != nil || len(refresh) != 1 || len(access) != 1 || tok.RefreshToken == "" {
		t.Fatalf("tokens: %d refresh, %d access, %v", len(refresh), len(access), err)
	}
	for _, id := range []crmguard.ID{access[0].ID, refresh[0].ID} {
		if err := env.Svc.RevokeTokenID(ctx, env.Admin, id); err != nil {
			t.Fatalf("first revocation of %s: %v", id, err)
		}
		err := env.Svc.RevokeTokenID(ctx, env.Admin, id)
		if ce, ok := crmguard.AsError(err); !ok || ce.Code != crmguard.CodeInvalidRequest {
			t.Errorf("second revocation of %s: %v, want INVALID_REQUEST", id, err)
		}
	}
}
