package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/crmguard/crmguard/internal/testenv"
)

// TestConsoleHomeByRole: /console opens Setup for an administrator (where
// signing in sends them too), the user's own page for anyone else, and the
// sign-in page without a session.
func TestConsoleHomeByRole(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	admin, _ := adminClient(t, env)
	grace := login(t, env, standardUser, "grace's password")
	for _, c := range []struct {
		name   string
		client *http.Client
		want   string
	}{
		{"administrator", admin, "/console/setup"},
		{"standard user", grace, "/console/me"},
		{"no session", client(t), "/console/login"},
	} {
		for _, path := range []string{"/console", "/console/"} {
			if status, loc, _ := fetch(t, c.client, "GET", env.URL+path, nil); status != http.StatusSeeOther || loc != c.want {
				t.Errorf("%s: GET %s = %d → %q, want 303 → %q", c.name, path, status, loc, c.want)
			}
		}
	}
}

// TestUsersPagesAndJump: the users list says how many pages there are and
// jumps to one through a plain GET form (no script), counts read with
// thousands separators, and a page past the end shows the last one.
func TestUsersPagesAndJump(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	if _, err := env.Svc.SeedUsers(ctx, env.Admin, 1_200, nil); err != nil {
		t.Fatal(err)
	}
	total, err := env.Svc.CountUsers(ctx, env.Org.ID, "AllUsers", env.Admin.UserID)
	if err != nil {
		t.Fatal(err)
	}
	pages := (total + 49) / 50
	count := regexp.MustCompile(`id="users-count">([^<]*)<`)
	c, _ := adminClient(t, env)

	_, _, body := fetch(t, c, "GET", env.URL+"/console/users?type=AllUsers", nil)
	m := count.FindStringSubmatch(body)
	want := commas(total) + " user(s) · page 1 of " + itoa(pages)
	if !strings.Contains(want, ",") {
		t.Fatalf("the org has %d users: too few to show a thousands separator", total)
	}
	if m == nil || m[1] != want {
		t.Fatalf("count line: %q, want %q", m, want)
	}
	// The jump form, submitted as a browser without script would: its
	// action, its hidden fields and the page typed in.
	form := regexp.MustCompile(`(?s)<form method="get" action="(/console/users)" class="jump" id="jump">(.*?)</form>`).FindStringSubmatch(body)
	if form == nil {
		t.Fatalf("no jump form on the users page:\n%s", body)
	}
	v := url.Values{}
	for _, h := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(form[2], -1) {
		v.Set(h[1], h[2])
	}
	if !strings.Contains(form[2], `name="page"`) {
		t.Fatalf("the jump form has no page field: %s", form[2])
	}
	v.Set("page", "7")
	_, _, body = fetch(t, c, "GET", env.URL+form[1]+"?"+v.Encode(), nil)
	if m := count.FindStringSubmatch(body); m == nil || !strings.HasSuffix(m[1], "page 7 of "+itoa(pages)) {
		t.Errorf("after the jump to 7: %q", m)
	}
	v.Set("page", "9999")
	_, _, body = fetch(t, c, "GET", env.URL+form[1]+"?"+v.Encode(), nil)
	if m := count.FindStringSubmatch(body); m == nil || !strings.HasSuffix(m[1], "page "+itoa(pages)+" of "+itoa(pages)) || strings.Contains(body, "next-page") {
		t.Errorf("a page past the end: %q, want the last page", m)
	}
	// Every type of the list carries the count line and the form keeps it.
	_, _, body = fetch(t, c, "GET", env.URL+"/console/users?type=ActiveUsers", nil)
	if !strings.Contains(body, `<input type="hidden" name="type" value="ActiveUsers">`) {
		t.Errorf("the jump form forgets the type")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// commas writes n ≥ 0 as people read counts: 110001 → "110,001".
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestProfilePageLabelsInBrowser: the profile page names modules as Zoho's
// Setup does ("Price Books"), heads Developer Permissions once, and saves
// from the Save button at the top as from the one at the bottom.
func TestProfilePageLabelsInBrowser(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t, testenv.Options{Demo: true})
	var grid, developer, flash, status string
	var developerHeads int
	run(t, ctx,
		signIn(env),
		chromedp.Navigate(env.URL+"/console"),
		chromedp.WaitReady("main", chromedp.ByQuery),
	)
	var loc string
	run(t, ctx, chromedp.Location(&loc))
	if !strings.HasSuffix(loc, "/console/setup") {
		t.Errorf("/console took the administrator to %s, want Setup", loc)
	}
	run(t, ctx,
		chromedp.Navigate(env.URL+"/console/setup/security"),
		chromedp.WaitVisible(`//a[text()="Standard"]`),
		chromedp.Click(`//a[text()="Standard"]`),
		chromedp.WaitVisible("#section-developer", chromedp.ByQuery),
		chromedp.Text("#section-modules", &grid, chromedp.ByQuery),
		chromedp.Text("#section-developer", &developer, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll("#section-developer h2, #section-developer h3")].filter(h => h.textContent.trim() === "Developer Permissions").length`, &developerHeads),
		chromedp.Click(`label[for="perm-Crm_Implied_Api_Access"]`, chromedp.ByQuery),
		chromedp.ScrollIntoView("#save-top", chromedp.ByQuery),
		chromedp.Click("#save-top", chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text(".flash", &flash, chromedp.ByQuery),
		chromedp.Text("#api-access-status", &status, chromedp.ByQuery),
	)
	if !strings.Contains(grid, "Price Books") || strings.Contains(grid, "_") {
		t.Errorf("module names: want labels such as \"Price Books\", no API names; got:\n%s", grid)
	}
	if developerHeads != 1 {
		t.Errorf("Developer Permissions headed %d times, want once:\n%s", developerHeads, developer)
	}
	if flash != "Saved." || !strings.Contains(status, "ON") {
		t.Errorf("the top Save: flash %q, status %q", flash, status)
	}
	// The bottom Save is still there.
	var bottom int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll("#save-form button[type=submit]").length`, &bottom))
	if bottom != 2 {
		t.Errorf("%d Save buttons in the form, want 2 (top and bottom)", bottom)
	}
}

// TestUsersJumpInBrowser: in a browser, the users list counts with
// thousands separators and the page field jumps to the page typed.
func TestUsersJumpInBrowser(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t, testenv.Options{Demo: true})
	if _, err := env.Svc.SeedUsers(context.Background(), env.Admin, 1_200, nil); err != nil {
		t.Fatal(err)
	}
	total, err := env.Svc.CountUsers(context.Background(), env.Org.ID, "AllUsers", env.Admin.UserID)
	if err != nil {
		t.Fatal(err)
	}
	pages := itoa((total + 49) / 50)
	var before, after, loc string
	run(t, ctx,
		signIn(env),
		chromedp.Navigate(env.URL+"/console/users"),
		chromedp.WaitVisible("#jump-page", chromedp.ByQuery),
		chromedp.Text("#users-count", &before, chromedp.ByQuery),
		chromedp.SetValue("#jump-page", "", chromedp.ByQuery),
		chromedp.SendKeys("#jump-page", "12", chromedp.ByQuery),
		chromedp.Submit("#jump-page", chromedp.ByQuery),
		chromedp.WaitVisible(`//p[@id="users-count"][contains(., "page 12 of")]`),
		chromedp.Text("#users-count", &after, chromedp.ByQuery),
		chromedp.Location(&loc),
	)
	if want := commas(total) + " user(s) · page 1 of " + pages; before != want {
		t.Errorf("count line %q, want %q", before, want)
	}
	if want := commas(total) + " user(s) · page 12 of " + pages; after != want || !strings.Contains(loc, "page=12") {
		t.Errorf("after the jump: %q at %s, want %q", after, loc, want)
	}
}
