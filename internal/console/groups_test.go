package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestGroupsPage: an administrator adds a group with a role source, adds a
// user to it and removes the user, and deletes the group (after a confirmation), each through the
// service the API uses; the user page names a member's groups; a user
// without Manage Users gets 403.
func TestGroupsPage(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	c := login(t, env, "arjun.mehta@example.com", "arjun's password") // an administrator
	status, _, page := fetch(t, c, "GET", env.URL+"/console/setup/security/groups", nil)
	m := csrfField.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("groups page: %d\n%s", status, page)
	}
	csrf := m[1]
	roles, err := env.Svc.ListRoles(ctx, env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var manager string
	for _, r := range roles {
		if r.Name == "Manager" {
			manager = r.ID.String()
		}
	}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf", csrf)
		status, _, body := fetch(t, c, "POST", env.URL+path, form)
		return status, body
	}
	if status, body := post("/console/setup/security/groups", url.Values{"name": {"Field Sales"}, "role": {manager}, "subordinates": {"on"}}); status != http.StatusSeeOther {
		t.Fatalf("add group: %d %s", status, body)
	}
	if status, body := post("/console/setup/security/groups", url.Values{"name": {"field sales"}, "role": {manager}}); status != http.StatusBadRequest || !strings.Contains(body, "duplicate") {
		t.Errorf("a duplicate name: %d", status)
	}
	gs, err := env.Svc.ListUserGroups(ctx, env.Org.ID)
	if err != nil || len(gs) != 1 {
		t.Fatalf("groups after the add: %v %v", gs, err)
	}
	id := gs[0].ID.String()
	if status, body := post("/console/setup/security/groups/"+id, url.Values{"action": {"add"}, "user": {"grace.nwosu@example.com"}}); status != http.StatusSeeOther {
		t.Fatalf("add a member: %d %s", status, body)
	}
	// Patricia is a Manager: a member through the role source.
	_, _, userPage := fetch(t, c, "GET", env.URL+"/console/users/"+env.User(t, "patricia.boyle@example.com").ID.String(), nil)
	if !strings.Contains(userPage, `<td id="user-groups">Field Sales`) {
		t.Errorf("the user page does not name Patricia's group")
	}
	if status, body := post("/console/setup/security/groups/"+id, url.Values{"action": {"remove"}, "type": {"users"}, "user": {"grace.nwosu@example.com"}}); status != http.StatusSeeOther {
		t.Fatalf("remove a member: %d %s", status, body)
	}
	if g, err := env.Svc.GetUserGroup(ctx, env.Org.ID, gs[0].ID); err != nil || len(g.Sources) != 1 {
		t.Errorf("sources after the removal: %v %v", g, err)
	}
	if status, body := post("/console/setup/security/groups/"+id, url.Values{"action": {"delete"}}); status != http.StatusOK || !strings.Contains(body, "Delete group Field Sales?") {
		t.Fatalf("delete without confirm=yes: %d %s", status, body)
	}
	if status, body := post("/console/setup/security/groups/"+id, url.Values{"action": {"delete"}, "confirm": {"yes"}}); status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", status, body)
	}
	if gs, _ := env.Svc.ListUserGroups(ctx, env.Org.ID); len(gs) != 0 {
		t.Errorf("groups after the delete: %v", gs)
	}
	other := login(t, env, "grace.nwosu@example.com", "grace's password")
	if status, _, _ := fetch(t, other, "GET", env.URL+"/console/setup/security/groups", nil); status != http.StatusForbidden {
		t.Errorf("groups page without Manage Users: %d", status)
	}
}
