package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestPasswordResetLinkShownOnce: on a confirmed, active user's page the
// admin makes a password-reset link; it is in that answer only (not in a
// redirect, not on the next view of the page), and it works once.
func TestPasswordResetLinkShownOnce(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c, csrf := adminClient(t, env)
	grace := env.User(t, standardUser)
	page := env.URL + "/console/users/" + grace.ID.String()
	if _, _, body := fetch(t, c, "GET", page, nil); !strings.Contains(body, `id="action-reset"`) {
		t.Fatal("no Password-reset link action on a confirmed, active user's page")
	}
	status, loc, body := fetch(t, c, "POST", page, url.Values{"csrf": {csrf}, "action": {"reset"}})
	m := regexp.MustCompile(`<code id="reset-url">([^<]+/invite/([^<]+))</code>`).FindStringSubmatch(body)
	if status != http.StatusOK || loc != "" || m == nil {
		t.Fatalf("reset: %d %q, link %v", status, loc, m)
	}
	if strings.Contains(body, `id="invite-url"`) {
		t.Error("the reset link is labelled as an invitation")
	}
	if _, _, again := fetch(t, c, "GET", page, nil); strings.Contains(again, m[2]) || strings.Contains(again, `id="reset-url"`) {
		t.Error("the link shows again on the next view of the page")
	}
	// The link sets a new password, once.
	if _, err := env.Svc.AcceptInvite(t.Context(), "", m[2], "grace's new password"); err != nil {
		t.Fatalf("the link does not work: %v", err)
	}
	if _, err := env.Svc.AcceptInvite(t.Context(), "", m[2], "another password"); err == nil {
		t.Error("the link works twice")
	}
	// Not offered to a deactivated user, nor to one who has not confirmed
	// (they get a new invitation link instead).
	for _, email := range []string{"oliver.brandt@example.com", "priya.raman@example.com"} {
		if _, _, body := fetch(t, c, "GET", env.URL+"/console/users/"+env.User(t, email).ID.String(), nil); strings.Contains(body, `id="action-reset"`) {
			t.Errorf("%s is offered a reset link", email)
		}
	}
}
