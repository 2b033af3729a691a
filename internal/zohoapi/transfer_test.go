package zohoapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// Transfer records and delete user, as Zoho documents it
// (https://www.zoho.com/crm/developer/docs/api/v8/transfer_records-delete_user.html,
// .../v8/transfer-records-delete-user-status.html; zoho/crm-oas
// v8.0/users_transfer_delete.json). The status page's sample answers
// "completed" in lower case, so crmguard does too.

const xferPath = "/crm/v8/users/actions/transfer_and_delete"

// xferItem is an item deleting user {who} in favour of user {to}.
func xferItem(who, to string) string {
	return `{"id":"{` + who + `}","transfer":{"id":"{` + to + `}","records":true,"assignment":true,"criteria":false}}`
}

// xferBody is a body of these items.
func xferBody(who, to string, more ...string) string {
	return `{"transfer_and_delete":[` + xferItem(who, to) + strings.Join(more, "") + `]}`
}

// reportTo makes user email report to user boss.
func reportTo(t *testing.T, env *testenv.Env, email, boss string) {
	t.Helper()
	u := env.User(t, email)
	u.ReportingTo = env.User(t, boss).ID
	if err := env.Store.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

func TestTransferAndDeleteAPI(t *testing.T) {
	f := newUsersFixture(t)
	f.refs["unknown"] = "111111111111111111"
	f.run(t, []scenario{
		{name: "transfer/missing_body_key", method: "POST", path: xferPath, token: "admin", body: `{}`},
		{name: "transfer/missing_transfer", method: "POST", path: xferPath, token: "admin",
			body: `{"transfer_and_delete":[{"id":"{patricia}"}]}`},
		{name: "transfer/missing_id", method: "POST", path: xferPath, token: "admin",
			body: `{"transfer_and_delete":[{"transfer":{"id":"{marcus}","records":true,"assignment":true,"criteria":true}}]}`},
		{name: "transfer/missing_records", method: "POST", path: xferPath, token: "admin",
			body: `{"transfer_and_delete":[{"id":"{patricia}","transfer":{"id":"{marcus}","assignment":true,"criteria":true}}]}`},
		{name: "transfer/records_not_boolean", method: "POST", path: xferPath, token: "admin",
			body: `{"transfer_and_delete":[{"id":"{patricia}","transfer":{"id":"{marcus}","records":"yes","assignment":true,"criteria":true}}]}`},
		{name: "transfer/transfer_not_object", method: "POST", path: xferPath, token: "admin",
			body: `{"transfer_and_delete":[{"id":"{patricia}","transfer":"{marcus}"}]}`},
		{name: "transfer/unknown_user", method: "POST", path: xferPath, token: "admin", body: xferBody("unknown", "marcus")},
		{name: "transfer/unknown_transfer_user", method: "POST", path: xferPath, token: "admin", body: xferBody("patricia", "unknown")},
		{name: "transfer/to_itself", method: "POST", path: xferPath, token: "admin", body: xferBody("patricia", "patricia")},
		{name: "transfer/to_inactive_user", method: "POST", path: xferPath, token: "admin", body: xferBody("patricia", "oliver")},
		{name: "transfer/move_subordinate_inactive", method: "POST", path: xferPath, token: "admin",
			body: `{"transfer_and_delete":[{"id":"{patricia}","transfer":{"id":"{marcus}","records":true,"assignment":true,"criteria":true},"move_subordinate":{"id":"{oliver}"}}]}`},
		{name: "transfer/primary_contact", method: "POST", path: xferPath, token: "admin", body: xferBody("admin", "marcus")},
		{name: "transfer/second_item_fails", method: "POST", path: xferPath, token: "admin",
			body: xferBody("grace", "marcus", ",", xferItem("patricia", "patricia"))},
		{name: "transfer/no_permission", method: "POST", path: xferPath, token: "sales", body: xferBody("grace", "marcus")},
		{name: "transfer/scope_mismatch", method: "POST", path: xferPath, token: "read", body: xferBody("grace", "marcus")},
		{name: "transfer/v4_not_served", method: "POST", path: "/crm/v4/users/actions/transfer_and_delete", token: "admin", body: xferBody("grace", "marcus")},
		{name: "transfer/path_unknown_user", method: "POST", path: "/crm/v8/users/{unknown}/actions/transfer_and_delete", token: "admin",
			body: `{"transfer_and_delete":[{"transfer":{"id":"{marcus}","records":true,"assignment":true,"criteria":true}}]}`},
		{name: "transfer/status_missing_job_id", method: "GET", path: xferPath, token: "admin"},
		{name: "transfer/status_unknown_job", method: "GET", path: xferPath + "?job_id=111111111111111111", token: "admin"},
		{name: "transfer/status_v4_not_served", method: "GET", path: "/crm/v4/users/actions/transfer_and_delete?job_id=1", token: "admin"},
		// Successes: the oldest version that serves it (v5) with the user in
		// the URL, and v8 with the user in the body.
		{name: "transfer/v5_path_success", method: "POST", path: "/crm/v5/users/{chloe}/actions/transfer_and_delete", token: "admin",
			body: `{"transfer_and_delete":[{"transfer":{"id":"{marcus}","records":false,"assignment":false,"criteria":false}}]}`, changes: true},
		{name: "transfer/v8_success", method: "POST", path: xferPath, token: "admin", body: xferBody("patricia", "marcus"), changes: true},
		{name: "transfer/already_deleted", method: "POST", path: xferPath, token: "admin", body: xferBody("patricia", "marcus")},
		{name: "transfer/to_deleted_user", method: "POST", path: xferPath, token: "admin", body: xferBody("grace", "patricia")},
	})
}

// TestTransferAndDeleteMoves: what crmguard keeps of the deleted user moves
// or goes, in the one transaction, and the job answers its status on the
// oldest and newest version.
func TestTransferAndDeleteMoves(t *testing.T) {
	ctx := context.Background()
	f := newUsersFixture(t)
	env := f.env
	reportTo(t, env, anotherSales, salesUser)    // marcus → patricia
	reportTo(t, env, standardUser, anotherSales) // grace → marcus → patricia
	patricia := env.User(t, salesUser)
	c, _, err := env.Svc.CreateClient(ctx, crmguard.Actor{OrgID: env.Org.ID, UserID: patricia.ID, Source: crmguard.SourceAPI}, "Patricia's app", crmguard.ClientServer, []string{"https://example.com/cb"})
	if err != nil {
		t.Fatal(err)
	}
	own := f.tokens["sales"]

	// Subordinates go to grace, who reports (through marcus) to patricia:
	// grace first takes patricia's place, so the line makes no loop.
	resp := env.Do(t, "POST", xferPath, f.tokens["admin"], f.expand(t,
		`{"transfer_and_delete":[{"id":"{patricia}","transfer":{"id":"{marcus}","records":true,"assignment":true,"criteria":true},"move_subordinate":{"id":"{grace}"}}]}`))
	var out struct {
		Items []struct {
			Details struct{ JobID string } `json:"details"`
		} `json:"transfer_and_delete"`
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Items) != 1 {
		t.Fatalf("answer: %v %+v", err, out)
	}
	resp.Body.Close()
	job := out.Items[0].Details.JobID
	if job == "" {
		t.Fatal("no jobId")
	}
	if u, err := env.Store.GetUser(ctx, env.Org.ID, patricia.ID); err != nil || u.Status != crmguard.UserDeleted || u.ReportingTo != 0 {
		t.Errorf("patricia: %v, %+v", err, u)
	}
	grace := env.User(t, standardUser)
	if u := env.User(t, anotherSales); u.ReportingTo != grace.ID {
		t.Errorf("marcus reports to %v, want grace %v", u.ReportingTo, grace.ID)
	}
	if grace.ReportingTo != patricia.ReportingTo {
		t.Errorf("grace reports to %v, want patricia's manager %v", grace.ReportingTo, patricia.ReportingTo)
	}
	if _, err := env.Store.GetClient(ctx, c.ClientID); err == nil {
		t.Error("patricia's client survived")
	}
	if r := env.Do(t, "GET", "/crm/v8/users/actions/count", own, ""); r.StatusCode != 401 {
		t.Errorf("patricia's token still works: %d", r.StatusCode)
	}
	evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Target: patricia.ID, Action: "user.delete"})
	if err != nil || len(evs) != 1 {
		t.Fatalf("audit of the delete: %v, %d events", err, len(evs))
	}
	for _, v := range []string{"v5", "v8"} {
		testenv.GoldenResponse(t, "transfer/status_"+v, env.Do(t, "GET", "/crm/"+v+"/users/actions/transfer_and_delete?job_id="+job, f.tokens["read"], ""))
	}
}
