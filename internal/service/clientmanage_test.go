package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestClientDeleteAndRotateNeedManageSecurity: a user without Manage
// Security Control can neither delete a client nor rotate its secret, and
// the refusal changes nothing; a client of another org is unknown.
func TestClientDeleteAndRotateNeedManageSecurity(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	cl, secret, err := env.Svc.CreateClient(ctx, env.Admin, "Sync", crmguard.ClientSelf, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := crmguard.Actor{OrgID: env.Org.ID, UserID: env.User(t, "patricia.boyle@example.com").ID, Source: crmguard.SourceAPI}
	code := func(err error) string {
		var e *crmguard.Error
		if errors.As(err, &e) {
			return e.Code
		}
		return ""
	}
	if _, _, err := env.Svc.RotateClientSecret(ctx, rep, cl.ClientID); code(err) != crmguard.CodeNoPermission {
		t.Errorf("rotate without the permission: %v", err)
	}
	if _, err := env.Svc.DeleteClient(ctx, rep, cl.ClientID); code(err) != crmguard.CodeNoPermission {
		t.Errorf("delete without the permission: %v", err)
	}
	if got, err := env.Store.GetClient(ctx, cl.ClientID); err != nil || string(got.SecretHash) != string(cl.SecretHash) {
		t.Fatalf("the refused calls changed the client: %v", err)
	}
	_, newSecret, err := env.Svc.RotateClientSecret(ctx, env.Admin, cl.ClientID)
	if err != nil || newSecret == secret || newSecret == "" {
		t.Fatalf("rotate: %v", err)
	}
	evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Action: "client.", Limit: 1})
	if err != nil || len(evs) != 1 || evs[0].Action != "client.rotate_secret" || strings.Contains(string(evs[0].After), newSecret) {
		t.Errorf("rotate audit: %v %+v", err, evs)
	}
	if _, err := env.Svc.DeleteClient(ctx, env.Admin, "1000.NOSUCHCLIENT"); code(err) != crmguard.CodeInvalidData {
		t.Errorf("unknown client: %v", err)
	}
	if _, err := env.Svc.DeleteClient(ctx, env.Admin, cl.ClientID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.GetClient(ctx, cl.ClientID); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}
