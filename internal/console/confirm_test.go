package console_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

const patricia = "patricia.boyle@example.com" // Sales, role Manager, API access

// liveTokens counts a user's live tokens (the org's when user is 0).
func liveTokens(t *testing.T, env *testenv.Env, user crmguard.ID) int {
	t.Helper()
	rt, at, err := env.Svc.ListTokens(context.Background(), env.Org.ID, user)
	if err != nil {
		t.Fatal(err)
	}
	return len(rt) + len(at)
}

// usersOn counts the active and deactivated users on a profile.
func usersOn(t *testing.T, env *testenv.Env, profile crmguard.ID) int {
	t.Helper()
	res, err := env.Svc.ListUsers(context.Background(), env.Org.ID, service.UserQuery{Type: "AllUsers", Page: 1, PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range res.Users {
		if u.ProfileID == profile {
			n++
		}
	}
	return n
}

var confirmText = regexp.MustCompile(`(?s)<p class="warning" id="confirm-text">(.*?)</p>`)

// TestDestructivePostsNeedConfirmation: each destructive console action,
// posted straight with a valid CSRF token but without confirm=yes, only
// shows a confirmation page that says what would happen and carries
// confirm=yes; nothing changes. Posting that page's form acts.
func TestDestructivePostsNeedConfirmation(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	c, csrf := adminClient(t, env)
	pat := env.User(t, patricia)
	for range 2 {
		if _, err := env.Svc.IssueTokens(ctx, env.Admin, pat.ID, "ZohoCRM.users.READ", true); err != nil {
			t.Fatal(err)
		}
	}
	patTokens := liveTokens(t, env, pat.ID) // two refresh tokens and their access tokens
	marcus := env.User(t, "marcus.webb@example.com")
	if _, err := env.Svc.IssueTokens(ctx, env.Admin, marcus.ID, "ZohoCRM.users.READ", true); err != nil {
		t.Fatal(err)
	}
	rts, _, err := env.Svc.ListTokens(ctx, env.Org.ID, marcus.ID)
	if err != nil || len(rts) != 1 {
		t.Fatalf("marcus's refresh token: %v %v", rts, err)
	}
	sales, _ := env.Svc.ProfileByRef(ctx, env.Org.ID, "Sales")
	std, _ := env.Svc.ProfileByRef(ctx, env.Org.ID, "Standard")
	salesUsers := usersOn(t, env, sales.ID)
	rep, _ := env.Svc.RoleByRef(ctx, env.Org.ID, "Sales Rep")
	mgr, _ := env.Svc.RoleByRef(ctx, env.Org.ID, "Manager")
	rule, err := env.Svc.AddIPRule(ctx, env.Admin, service.IPRuleInput{Name: "Office", Range: "203.0.113.0/24", AppliesTo: "profile", Target: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	userStatus := func(id crmguard.ID) string {
		u, err := env.Svc.GetUser(ctx, env.Org.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return u.Status
	}
	ruleCount := func() int {
		rules, err := env.Svc.ListIPRules(ctx, env.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(rules)
	}
	roleExists := func() bool {
		_, err := env.Svc.GetRole(ctx, env.Org.ID, rep.ID)
		return err == nil
	}

	// Each case: where the form posts, what it posts, what the confirmation
	// must say, and the state that must hold before confirming and change
	// after. Sales is deleted before Marcus, one of its users, so the
	// count it shows is the count at the start.
	cases := []struct {
		name     string
		path     string
		form     url.Values
		want     []string
		state    func() string
		wantDone string // the state after confirming
	}{
		{"revoke one token", "/console/setup/api/tokens/" + rts[0].ID.String() + "/revoke", url.Values{"back": {"/console/users/" + marcus.ID.String()}},
			[]string{"Revoke this refresh token of Marcus Webb?", "with the access tokens made from it"},
			func() string { return fmt.Sprint(liveTokens(t, env, marcus.ID)) }, "0"},
		{"revoke all tokens", "/console/users/" + pat.ID.String(), url.Values{"action": {"revoke"}},
			[]string{"Revoke every token of Patricia Boyle?", fmt.Sprintf("The %d live tokens of Patricia Boyle (%s) stop working at once", patTokens, patricia)},
			func() string { return fmt.Sprint(liveTokens(t, env, pat.ID)) }, "0"},
		{"delete profile", "/console/setup/security/profiles/delete", url.Values{"id": {sales.ID.String()}, "transfer_to": {std.ID.String()}},
			[]string{"Delete profile Sales?", fmt.Sprintf("Its %d users move to Standard and get that profile&#39;s permissions.", salesUsers)},
			func() string { return fmt.Sprint(usersOn(t, env, sales.ID)) }, "0"},
		{"delete user", "/console/users/" + marcus.ID.String(), url.Values{"action": {"delete"}},
			[]string{"Delete Marcus Webb?", "can no longer sign in or call the API; they hold no live tokens. This cannot be undone."},
			func() string { return userStatus(marcus.ID) }, crmguard.UserDeleted},
		{"remove IP rule", "/console/setup/security/ips/" + rule.ID.String() + "/delete", url.Values{},
			[]string{"Remove the IP rule Office?", "It lets profile Support call the API from 203.0.113.0/24.", "or from anywhere if none does"},
			func() string { return fmt.Sprint(ruleCount()) }, "0"},
		{"delete role", "/console/setup/security/roles/" + rep.ID.String(), url.Values{"action": {"delete"}, "transfer_to": {mgr.ID.String()}},
			[]string{"Delete role Sales Rep?", "users move to Manager. This cannot be undone."},
			func() string { return fmt.Sprint(roleExists()) }, "false"},
	}
	for _, tc := range cases {
		before := tc.state()
		form := url.Values{"csrf": {csrf}}
		for k, v := range tc.form {
			form[k] = v
		}
		status, _, body := fetch(t, c, "POST", env.URL+tc.path, form)
		if status != http.StatusOK || !strings.Contains(body, `name="confirm" value="yes"`) || !strings.Contains(body, `id="cancel"`) {
			t.Errorf("%s without confirm=yes: %d, no confirmation form", tc.name, status)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				m := confirmText.FindStringSubmatch(body)
				t.Errorf("%s: the confirmation lacks %q; it says %q", tc.name, w, m)
			}
		}
		if got := tc.state(); got != before {
			t.Errorf("%s without confirm=yes changed the state: %s -> %s", tc.name, before, got)
		}
		// The confirmation's own form, as a browser posts it.
		form = url.Values{}
		for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
			form.Add(m[1], html.UnescapeString(m[2]))
		}
		if form.Get("confirm") != "yes" || form.Get("csrf") != csrf {
			t.Fatalf("%s: confirmation form fields %v", tc.name, form)
		}
		if status, loc, _ := fetch(t, c, "POST", env.URL+tc.path, form); status != http.StatusSeeOther || !strings.Contains(loc, "done=") {
			t.Errorf("%s confirmed: %d %s", tc.name, status, loc)
		}
		if got := tc.state(); got != tc.wantDone {
			t.Errorf("%s confirmed: state %s, want %s", tc.name, got, tc.wantDone)
		}
	}
}

// TestProfileDeleteNeverDefaultsToAdministrator: the delete form preselects
// no profile to receive the users and lists Administrator last; a post
// without a receiving profile moves no one; choosing Administrator is
// said plainly on the confirmation.
func TestProfileDeleteNeverDefaultsToAdministrator(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	c, csrf := adminClient(t, env)
	_, _, page := fetch(t, c, "GET", env.URL+"/console/setup/security", nil)
	sel := regexp.MustCompile(`(?s)<select name="transfer_to"[^>]*>(.*?)</select>`).FindStringSubmatch(page)
	if sel == nil || !strings.Contains(sel[0], " required") {
		t.Fatalf("no required transfer_to select:\n%s", page)
	}
	opts := regexp.MustCompile(`<option value="(\d*)"( selected)?>([^<]*)</option>`).FindAllStringSubmatch(sel[1], -1)
	if len(opts) < 3 || opts[0][1] != "" || opts[0][2] == "" || opts[0][3] != "Choose a profile" {
		t.Fatalf("the first option is not an empty, selected prompt: %q", opts)
	}
	for _, o := range opts[1:] {
		if o[2] != "" {
			t.Errorf("%s is preselected", o[3])
		}
	}
	if last := opts[len(opts)-1][3]; !strings.HasPrefix(last, "Administrator") {
		t.Errorf("the last option is %q, want Administrator", last)
	}

	sales, _ := env.Svc.ProfileByRef(ctx, env.Org.ID, "Sales")
	adm, _ := env.Svc.ProfileByRef(ctx, env.Org.ID, crmguard.ProfileAdministrator)
	n := usersOn(t, env, sales.ID)
	for _, to := range []string{"", "x"} {
		status, _, body := fetch(t, c, "POST", env.URL+"/console/setup/security/profiles/delete",
			url.Values{"csrf": {csrf}, "id": {sales.ID.String()}, "transfer_to": {to}, "confirm": {"yes"}})
		if status != http.StatusBadRequest || !strings.Contains(body, "Choose the profile that receives the users.") {
			t.Errorf("transfer_to %q: %d", to, status)
		}
	}
	if got := usersOn(t, env, sales.ID); got != n || n == 0 {
		t.Fatalf("Sales users: %d, were %d", got, n)
	}
	_, _, body := fetch(t, c, "POST", env.URL+"/console/setup/security/profiles/delete",
		url.Values{"csrf": {csrf}, "id": {sales.ID.String()}, "transfer_to": {adm.ID.String()}})
	want := fmt.Sprintf("Its %d users move to Administrator, which holds every permission: they become administrators of the org.", n)
	if !strings.Contains(body, want) {
		t.Errorf("confirmation for Administrator: %q", confirmText.FindStringSubmatch(body))
	}
	if got := usersOn(t, env, adm.ID); got != 2 { // the admin and Arjun
		t.Errorf("Administrator users: %d", got)
	}
}

// TestDeleteUserInBrowser: the Delete button shows a confirmation that
// names the user and their live tokens; nothing changes until Confirm.
func TestDeleteUserInBrowser(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t, testenv.Options{Demo: true})
	pat := env.User(t, patricia)
	tok := env.Token(t, patricia, "ZohoCRM.users.READ")
	var title, text, status, cls string
	var ok bool
	run(t, ctx, signIn(env),
		chromedp.Navigate(env.URL+"/console/users/"+pat.ID.String()),
		chromedp.WaitVisible("#action-delete", chromedp.ByQuery),
		chromedp.AttributeValue("#action-delete", "class", &cls, &ok, chromedp.ByQuery),
		chromedp.Click("#action-delete", chromedp.ByQuery),
		chromedp.WaitVisible("#confirm", chromedp.ByQuery),
		chromedp.Text("h1", &title, chromedp.ByQuery),
		chromedp.Text("#confirm-text", &text, chromedp.ByQuery),
		shot(t, "confirm-delete-user"),
	)
	if cls != "danger" {
		t.Errorf("the Delete button's class: %q", cls)
	}
	if title != "Delete Patricia Boyle?" || !strings.Contains(text, "Patricia Boyle ("+patricia+") can no longer sign in or call the API, and their 1 live token is revoked. This cannot be undone.") {
		t.Errorf("confirmation: %q / %q", title, text)
	}
	if u, _ := env.Svc.GetUser(context.Background(), env.Org.ID, pat.ID); u.Status != crmguard.UserActive {
		t.Fatalf("deleted before Confirm: %s", u.Status)
	}
	if s := apiStatus(t, env, tok); s != http.StatusOK {
		t.Fatalf("the token stopped working before Confirm: %d", s)
	}
	// Cancel goes back to the user, unchanged.
	run(t, ctx,
		chromedp.Click("#cancel", chromedp.ByQuery),
		chromedp.WaitVisible("#action-delete", chromedp.ByQuery),
		chromedp.Click("#action-delete", chromedp.ByQuery),
		chromedp.WaitVisible("#confirm", chromedp.ByQuery),
		chromedp.Click("#confirm", chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text("#user-status", &status, chromedp.ByQuery),
	)
	if status != crmguard.UserDeleted {
		t.Errorf("after Confirm: %q", status)
	}
	if s := apiStatus(t, env, tok); s != http.StatusUnauthorized {
		t.Errorf("the deleted user's token: %d, want 401", s)
	}
}

// TestDeleteProfileInBrowser: deleting Sales asks which profile receives
// its users (none preselected), and the confirmation names it and how
// many move; they move only on Confirm.
func TestDeleteProfileInBrowser(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t, testenv.Options{Demo: true})
	bg := context.Background()
	sales, _ := env.Svc.ProfileByRef(bg, env.Org.ID, "Sales")
	std, _ := env.Svc.ProfileByRef(bg, env.Org.ID, "Standard")
	n := usersOn(t, env, sales.ID)
	var chosen, title, text, flash string
	run(t, ctx, signIn(env),
		chromedp.Navigate(env.URL+"/console/setup/security"),
		chromedp.WaitVisible("#delete-transfer", chromedp.ByQuery),
		chromedp.Value("#delete-transfer", &chosen, chromedp.ByQuery),
		chromedp.SetValue("#delete-id", sales.ID.String(), chromedp.ByQuery),
		chromedp.SetValue("#delete-transfer", std.ID.String(), chromedp.ByQuery),
		chromedp.Click("#delete-profile-submit", chromedp.ByQuery),
		chromedp.WaitVisible("#confirm", chromedp.ByQuery),
		chromedp.Text("h1", &title, chromedp.ByQuery),
		chromedp.Text("#confirm-text", &text, chromedp.ByQuery),
		shot(t, "confirm-delete-profile"),
	)
	if chosen != "" {
		t.Errorf("a receiving profile is preselected: %q", chosen)
	}
	if want := fmt.Sprintf("Its %d users move to Standard", n); title != "Delete profile Sales?" || !strings.Contains(text, want) {
		t.Errorf("confirmation: %q / %q, want %q", title, text, want)
	}
	if got := usersOn(t, env, sales.ID); got != n {
		t.Fatalf("users moved before Confirm: %d of %d left", got, n)
	}
	run(t, ctx,
		chromedp.Click("#confirm", chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text(".flash", &flash, chromedp.ByQuery),
	)
	if _, err := env.Svc.ProfileByRef(bg, env.Org.ID, "Sales"); err == nil || !strings.Contains(flash, "Deleted the profile") {
		t.Errorf("after Confirm: Sales still there (%v), flash %q", err, flash)
	}
	if got := usersOn(t, env, std.ID); got < n {
		t.Errorf("Standard has %d users, want at least %d", got, n)
	}
}
