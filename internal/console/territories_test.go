package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestTerritoriesPage: an administrator adds the root territory and one
// under it with a manager, assigns two users and unassigns one (the
// manager cannot be), and
// deletes the child only after a confirmation, each through the service
// the API uses; the page lists the tree with managers and member counts;
// the user page names a member's territories; a user without Manage Users
// gets 403.
func TestTerritoriesPage(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	c := login(t, env, "arjun.mehta@example.com", "arjun's password") // an administrator
	status, _, page := fetch(t, c, "GET", env.URL+"/console/setup/security/territories", nil)
	m := csrfField.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("territories page: %d\n%s", status, page)
	}
	csrf := m[1]
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf", csrf)
		status, _, body := fetch(t, c, "POST", env.URL+path, form)
		return status, body
	}
	const base = "/console/setup/security/territories"
	if status, body := post(base, url.Values{"name": {"Worldwide"}, "permission_type": {"read_write_delete"}}); status != http.StatusSeeOther {
		t.Fatalf("add the root: %d %s", status, body)
	}
	ts, err := env.Svc.ListTerritories(ctx, env.Org.ID)
	if err != nil || len(ts) != 1 {
		t.Fatalf("territories after the root: %v %v", ts, err)
	}
	root := ts[0].ID.String()
	if status, body := post(base, url.Values{"name": {"EMEA"}, "reporting_to": {root}, "manager": {"patricia.boyle@example.com"},
		"permission_type": {"read_only"}}); status != http.StatusSeeOther {
		t.Fatalf("add a child: %d %s", status, body)
	}
	if status, body := post(base, url.Values{"name": {"emea"}, "reporting_to": {root}, "permission_type": {"read_only"}}); status != http.StatusBadRequest || !strings.Contains(body, "duplicate") {
		t.Errorf("a duplicate name: %d", status)
	}
	if status, _ := post(base, url.Values{"name": {"APAC"}, "permission_type": {"read_only"}}); status != http.StatusBadRequest {
		t.Errorf("a second territory without reports-to: %d", status)
	}
	ts, _ = env.Svc.ListTerritories(ctx, env.Org.ID)
	if len(ts) != 2 {
		t.Fatalf("territories after the adds: %d", len(ts))
	}
	emea := ts[1].ID.String()
	for _, who := range []string{"grace.nwosu@example.com", "priya.raman@example.com"} {
		if status, body := post(base+"/"+emea, url.Values{"action": {"assign"}, "user": {who}}); status != http.StatusSeeOther {
			t.Fatalf("assign %s: %d %s", who, status, body)
		}
	}
	if status, body := post(base+"/"+emea, url.Values{"action": {"unassign"}, "user": {"priya.raman@example.com"}}); status != http.StatusSeeOther {
		t.Fatalf("unassign: %d %s", status, body)
	}
	// Zoho keeps a territory's manager in it.
	if status, body := post(base+"/"+emea, url.Values{"action": {"unassign"}, "user": {"patricia.boyle@example.com"}}); status != http.StatusBadRequest || !strings.Contains(body, "manager") {
		t.Errorf("unassigning the manager: %d", status)
	}
	_, _, page = fetch(t, c, "GET", env.URL+base, nil)
	emeaRow := page[strings.Index(page, "EMEA"):]
	if !strings.Contains(page, "Worldwide") || !strings.Contains(emeaRow, "patricia.boyle@example.com</td>") ||
		!strings.Contains(emeaRow, `<span class="count">1</span>`) || !strings.Contains(emeaRow, `value="grace.nwosu@example.com"`) ||
		strings.Index(page, "Worldwide") > strings.Index(page, "EMEA") {
		t.Errorf("the page does not list the tree with the manager and one member:\n%s", page)
	}
	_, _, userPage := fetch(t, c, "GET", env.URL+"/console/users/"+env.User(t, "grace.nwosu@example.com").ID.String(), nil)
	if !strings.Contains(userPage, `<td id="user-territories">EMEA`) {
		t.Errorf("the user page does not name Grace's territory")
	}
	if status, body := post(base+"/"+emea, url.Values{"action": {"delete"}}); status != http.StatusOK || !strings.Contains(body, "Delete territory EMEA?") {
		t.Fatalf("delete without confirm=yes: %d %s", status, body)
	}
	if ts, _ := env.Svc.ListTerritories(ctx, env.Org.ID); len(ts) != 2 {
		t.Errorf("the unconfirmed delete changed the territories: %d", len(ts))
	}
	if status, body := post(base+"/"+emea, url.Values{"action": {"delete"}, "confirm": {"yes"}}); status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", status, body)
	}
	if ts, _ := env.Svc.ListTerritories(ctx, env.Org.ID); len(ts) != 1 {
		t.Errorf("territories after the delete: %d", len(ts))
	}
	if status, _ := post(base+"/"+root, url.Values{"action": {"delete"}, "confirm": {"yes"}}); status != http.StatusBadRequest {
		t.Errorf("deleting the root: %d", status)
	}
	other := login(t, env, "grace.nwosu@example.com", "grace's password")
	if status, _, _ := fetch(t, other, "GET", env.URL+base, nil); status != http.StatusForbidden {
		t.Errorf("territories page without Manage Users: %d", status)
	}
}
