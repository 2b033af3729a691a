package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestConsoleEditCannotGiveAdministrator: a user with Manage Users edits
// their own record in the console (which, unlike the API, allows one's own
// profile) and picks Administrator: refused, and nothing changes.
func TestConsoleEditCannotGiveAdministrator(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	delegate(t, env, "grace.nwosu@example.com", crmguard.PermManageUsers)
	c := login(t, env, "grace.nwosu@example.com", "grace's password")
	grace := env.User(t, "grace.nwosu@example.com")
	page := env.URL + "/console/users/" + grace.ID.String()
	status, _, body := fetch(t, c, "GET", page, nil)
	m := csrfField.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("own user page: %d", status)
	}
	admin, err := env.Svc.ProfileByRef(context.Background(), env.Org.ID, crmguard.ProfileAdministrator)
	if err != nil {
		t.Fatal(err)
	}
	status, _, body = fetch(t, c, "POST", page, url.Values{"csrf": {m[1]}, "action": {"edit"}, "first_name": {grace.FirstName},
		"last_name": {grace.LastName}, "role": {grace.RoleID.String()}, "profile": {admin.ID.String()}})
	if status != http.StatusBadRequest || !strings.Contains(body, "Only a user with the Administrator profile") {
		t.Errorf("self-promotion: %d", status)
	}
	if after := env.User(t, "grace.nwosu@example.com"); after.ProfileID != grace.ProfileID {
		t.Error("Grace holds a new profile")
	}
}
