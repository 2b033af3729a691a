package zohoapi_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
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
	testenv.EachBackend(t, transferAndDeleteAPI)
}

func transferAndDeleteAPI(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
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
	testenv.EachBackend(t, transferAndDeleteMoves)
}

func transferAndDeleteMoves(t *testing.T, b testenv.Backend) {
	ctx := context.Background()
	f := newUsersFixture(t, b)
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

// TestTransferAndDeleteLeavesTerritoriesAndGroups deletes a user who
// manages a territory, belongs to it and is a group's user source: the
// territory's users and the group's sources no longer list them, the
// manager role passes to the transfer user, a group left with no source
// stays, and the user.delete audit event records all of it.
func TestTransferAndDeleteLeavesTerritoriesAndGroups(t *testing.T) {
	ctx := context.Background()
	f := newUsersFixture(t, testenv.SQLite)
	env := f.env
	admin := crmguard.Actor{OrgID: env.Org.ID, UserID: env.User(t, "").ID, Source: crmguard.SourceAPI}
	patricia, marcus, grace := env.User(t, salesUser), env.User(t, anotherSales), env.User(t, standardUser)
	str := func(s string) *string { return &s }
	ids, errs, err := env.Svc.AddTerritories(ctx, admin, []service.TerritoryInput{{Name: str("Org"), PermissionType: str(crmguard.TerritoryReadWriteDelete)}})
	if err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	root := ids[0]
	rw := crmguard.TerritoryReadWriteDelete
	ids, errs, err = env.Svc.AddTerritories(ctx, admin, []service.TerritoryInput{{Name: str("West"), ReportingTo: &root, Manager: &patricia.ID, PermissionType: &rw}})
	if err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	west := ids[0]
	if errs, err := env.Svc.AssociateTerritoryUsers(ctx, admin, west, []crmguard.ID{patricia.ID, grace.ID}); err != nil || errs[0] != nil || errs[1] != nil {
		t.Fatal(err, errs)
	}
	src := func(ids ...crmguard.ID) []service.GroupSourceInput {
		var out []service.GroupSourceInput
		for _, id := range ids {
			out = append(out, service.GroupSourceInput{Type: crmguard.GroupSourceUsers, ID: id})
		}
		return out
	}
	gids, errs, err := env.Svc.AddUserGroups(ctx, admin, []service.UserGroupInput{
		{Name: str("Closers"), Sources: src(patricia.ID, grace.ID), HasSources: true},
		{Name: str("Solo"), Sources: src(patricia.ID), HasSources: true}})
	if err != nil || errs[0] != nil || errs[1] != nil {
		t.Fatal(err, errs)
	}

	resp := env.Do(t, "POST", "/crm/v8/users/"+patricia.ID.String()+"/actions/transfer_and_delete", f.tokens["admin"],
		`{"transfer_and_delete":[{"transfer":{"id":"`+marcus.ID.String()+`","records":true,"assignment":true,"criteria":false}}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("transfer: status %d", resp.StatusCode)
	}
	resp.Body.Close()

	// ids lists the IDs of the records a GET answers under key.
	listed := func(path, key string) []string {
		t.Helper()
		r := env.Do(t, "GET", path, f.tokens["admin"], "")
		defer r.Body.Close()
		if r.StatusCode == 204 {
			return nil
		}
		// A group's sources carry the user's ID in source.id.
		var out map[string]json.RawMessage
		var recs []struct {
			ID     string
			Source struct{ ID string }
		}
		if r.StatusCode != 200 || json.NewDecoder(r.Body).Decode(&out) != nil || json.Unmarshal(out[key], &recs) != nil {
			t.Fatalf("GET %s: status %d", path, r.StatusCode)
		}
		var got []string
		for _, v := range recs {
			got = append(got, v.ID+v.Source.ID)
		}
		return got
	}
	if got := listed("/crm/v8/settings/territories/"+west.String()+"/users", "users"); slices.Contains(got, patricia.ID.String()) ||
		!slices.Contains(got, marcus.ID.String()) || !slices.Contains(got, grace.ID.String()) {
		t.Errorf("West's users %v: want marcus and grace, not patricia", got)
	}
	if got := listed("/crm/v8/settings/territories/"+west.String(), "territories"); len(got) != 1 {
		t.Fatalf("West: %v", got)
	}
	if tr, err := env.Store.GetTerritory(ctx, env.Org.ID, west); err != nil || tr.Manager != marcus.ID {
		t.Errorf("West's manager: %v, %+v; want marcus", err, tr)
	}
	if got := listed("/crm/v8/settings/user_groups/"+gids[0].String()+"/sources", "sources"); slices.Contains(got, patricia.ID.String()) || !slices.Contains(got, grace.ID.String()) {
		t.Errorf("Closers' sources %v: want grace, not patricia", got)
	}
	if got := listed("/crm/v8/settings/user_groups/"+gids[1].String()+"/sources", "sources"); len(got) != 0 {
		t.Errorf("Solo's sources %v: want none", got)
	}
	if _, err := env.Store.GetUserGroup(ctx, env.Org.ID, gids[1]); err != nil {
		t.Errorf("Solo, left without sources, is gone: %v", err)
	}
	evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Target: patricia.ID, Action: "user.delete"})
	if err != nil || len(evs) != 1 {
		t.Fatalf("audit of the delete: %v, %d events", err, len(evs))
	}
	b, _ := json.Marshal(evs[0])
	for _, want := range []string{`"territories"`, `"managed"`, `"user_groups"`, `"left_without_sources"`, gids[1].String(), west.String()} {
		if !strings.Contains(string(b), want) {
			t.Errorf("user.delete event lacks %s: %s", want, b)
		}
	}
}
