package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// client is a cookie-keeping HTTP client that does not follow redirects.
func client(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == "POST" {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// login signs a user in with a password set through the service.
func login(t *testing.T, env *testenv.Env, email, password string) *http.Client {
	t.Helper()
	u := env.User(t, email)
	tok, err := env.Svc.Reinvite(context.Background(), env.Admin, u.ID)
	if err == nil { // not yet confirmed: accept the invitation
		if _, err := env.Svc.AcceptInvite(context.Background(), "", tok[strings.LastIndex(tok, "/")+1:], password); err != nil {
			t.Fatal(err)
		}
	} else if err := setPassword(env, u.ID, password); err != nil {
		t.Fatal(err)
	}
	c := client(t)
	_, _, page := fetch(t, c, "GET", env.URL+"/console/login", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf on the login page")
	}
	status, loc, body := fetch(t, c, "POST", env.URL+"/console/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}})
	if status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", status, body)
	}
	_ = loc
	return c
}

// TestNonAdminSeesOnlyOwnPage: a user without Manage_* permissions has
// their own page; every setup page answers 403; sign-out ends the session.
func TestNonAdminSeesOnlyOwnPage(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := login(t, env, "grace.nwosu@example.com", "grace's password")
	status, _, body := fetch(t, c, "GET", env.URL+"/console/me", nil)
	if status != 200 || !strings.Contains(body, "grace.nwosu@example.com") || strings.Contains(body, `href="/console/setup"`) {
		t.Errorf("own page: %d", status)
	}
	for _, p := range []string{"/console/setup", "/console/setup/security", "/console/users", "/console/users/new"} {
		if status, _, _ := fetch(t, c, "GET", env.URL+p, nil); status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", p, status)
		}
	}
	csrf := csrfField.FindStringSubmatch(body)[1]
	if status, _, _ := fetch(t, c, "POST", env.URL+"/console/logout", url.Values{"csrf": {"x"}}); status != http.StatusForbidden {
		t.Errorf("logout without the token: %d", status)
	}
	if status, loc, _ := fetch(t, c, "POST", env.URL+"/console/logout", url.Values{"csrf": {csrf}}); status != http.StatusSeeOther || loc != "/console/login" {
		t.Errorf("logout: %d %s", status, loc)
	}
	if status, loc, _ := fetch(t, c, "GET", env.URL+"/console/me", nil); status != http.StatusSeeOther || loc != "/console/login" {
		t.Errorf("after logout: %d %s", status, loc)
	}
}

// TestSessionCookie: HttpOnly and SameSite, never the token in a URL.
func TestSessionCookie(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := login(t, env, "patricia.boyle@example.com", "patricia's password")
	u, _ := url.Parse(env.URL)
	var found bool
	for _, ck := range c.Jar.Cookies(u) {
		found = found || ck.Name == "crmguard_session"
	}
	if !found {
		t.Fatal("no session cookie")
	}
	resp, err := c.Get(env.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, h := range resp.Header.Values("Set-Cookie") {
		if !strings.Contains(h, "HttpOnly") || !strings.Contains(h, "SameSite=Lax") {
			t.Errorf("cookie flags: %s", h)
		}
	}
}

// adminClient signs the bootstrap admin in and changes the one-time
// password (the sign-in answers with the change form, and only the change
// opens a session), returning the client and a CSRF token.
func adminClient(t *testing.T, env *testenv.Env) (*http.Client, string) {
	t.Helper()
	c := client(t)
	_, _, page := fetch(t, c, "GET", env.URL+"/console/login", nil)
	_, _, page = fetch(t, c, "POST", env.URL+"/console/login", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]},
		"email": {env.Boot.Admin.Email}, "password": {env.Boot.AdminPassword}})
	if status, loc, _ := fetch(t, c, "POST", env.URL+"/console/login/password", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]},
		"email": {env.Boot.Admin.Email}, "current": {env.Boot.AdminPassword},
		"next": {newPassword}, "confirm": {newPassword}}); status != http.StatusSeeOther || loc != "/console/setup" {
		t.Fatalf("password change: %d %s", status, loc)
	}
	_, _, page = fetch(t, c, "GET", env.URL+"/console/me", nil)
	return c, csrfField.FindStringSubmatch(page)[1]
}

// TestRolesIPsAndAudit: the role tree, allowed IPs and the audit log pages.
func TestRolesIPsAndAudit(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c, csrf := adminClient(t, env)
	ctx := context.Background()
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf", csrf)
		status, loc, body := fetch(t, c, "POST", env.URL+path, form)
		if status == http.StatusSeeOther {
			_, _, body = fetch(t, c, "GET", env.URL+loc, nil)
		}
		return status, body
	}
	mgr, _ := env.Svc.RoleByRef(ctx, env.Org.ID, "Manager")
	ceo, _ := env.Svc.RoleByRef(ctx, env.Org.ID, "CEO")
	if status, body := post("/console/setup/security/roles", url.Values{"name": {"Analyst"}, "reporting_to": {mgr.ID.String()}}); status != 303 || !strings.Contains(body, "Added role Analyst.") {
		t.Errorf("add role: %d", status)
	}
	analyst, err := env.Svc.RoleByRef(ctx, env.Org.ID, "Analyst")
	if err != nil || analyst.ReportingTo != mgr.ID {
		t.Fatalf("analyst: %v %v", analyst, err)
	}
	if status, body := post("/console/setup/security/roles/"+mgr.ID.String(), url.Values{"action": {"update"}, "name": {"Manager"}, "reporting_to": {analyst.ID.String()}}); status != 400 || !strings.Contains(body, "below it") {
		t.Errorf("a cycle: %d", status)
	}
	if status, _ := post("/console/setup/security/roles/"+analyst.ID.String(), url.Values{"action": {"update"}, "name": {"Data Analyst"}, "reporting_to": {ceo.ID.String()}}); status != 303 {
		t.Errorf("rename and move: %d", status)
	}
	if status, body := post("/console/setup/security/roles/"+analyst.ID.String(), url.Values{"action": {"delete"}, "transfer_to": {ceo.ID.String()}, "confirm": {"yes"}}); status != 303 || strings.Contains(body, "Data Analyst</td>") {
		t.Errorf("delete role: %d", status)
	}
	status, body := post("/console/setup/security/ips", url.Values{"name": {"Office"}, "range": {"203.0.113.0/24"}, "applies_to": {"profile"}, "target": {"Sales"}})
	if status != 303 || !strings.Contains(body, "203.0.113.0/24") || !strings.Contains(body, "Profile Sales") {
		t.Errorf("add rule: %d", status)
	}
	if status, body := post("/console/setup/security/ips", url.Values{"range": {"not a range"}, "applies_to": {"all"}}); status != 400 || !strings.Contains(body, `class="error"`) {
		t.Errorf("bad range: %d", status)
	}
	rules, _ := env.Svc.ListIPRules(ctx, env.Org.ID)
	if len(rules) != 1 {
		t.Fatalf("rules: %v", rules)
	}
	if status, body := post("/console/setup/security/ips/"+rules[0].ID.String()+"/delete", url.Values{"confirm": {"yes"}}); status != 303 || !strings.Contains(body, "No rules") {
		t.Errorf("remove rule: %d", status)
	}
	_, _, page := fetch(t, c, "GET", env.URL+"/console/setup/audit?action=iprule.&actor="+url.QueryEscape(env.Boot.Admin.Email), nil)
	if strings.Count(page, "<td>iprule.") != 2 || strings.Contains(page, "<td>role.add") {
		t.Errorf("audit filtered by action and actor:\n%s", page)
	}
	status, _, csvBody := fetch(t, c, "GET", env.URL+"/console/setup/audit.csv?action=role.", nil)
	lines := strings.Split(strings.TrimSpace(csvBody), "\n")
	if status != 200 || lines[0] != "time_utc,actor,source,action,target,client_ip,before,after" || !strings.Contains(lines[1], ",console,role.delete,") ||
		strings.Count(csvBody, ",console,role.") != 3 || !strings.Contains(csvBody, ",system,role.add,") {
		t.Errorf("csv: %d\n%s", status, csvBody)
	}
	if status, _, _ := fetch(t, c, "GET", env.URL+"/console/setup/audit?since=yesterday", nil); status != 400 {
		t.Errorf("bad date: %d", status)
	}
}

// TestProfilesCloneCompareDelete: clone from the Profiles tab, compare
// side by side, delete with transfer; errors show on the page.
func TestProfilesCloneCompareDelete(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c, csrf := adminClient(t, env)
	ctx := context.Background()
	std, _ := env.Svc.ProfileByRef(ctx, env.Org.ID, "Standard")
	sales, _ := env.Svc.ProfileByRef(ctx, env.Org.ID, "Sales")
	status, loc, _ := fetch(t, c, "POST", env.URL+"/console/setup/security/profiles", url.Values{"csrf": {csrf}, "source": {sales.ID.String()}, "name": {"Integrations"}})
	if status != 303 || !strings.Contains(loc, "Created+profile+Integrations") {
		t.Fatalf("clone: %d %s", status, loc)
	}
	if status, _, body := fetch(t, c, "POST", env.URL+"/console/setup/security/profiles", url.Values{"csrf": {csrf}, "source": {sales.ID.String()}, "name": {"integrations"}}); status != 400 || !strings.Contains(body, "already exists") {
		t.Errorf("duplicate clone: %d", status)
	}
	integ, err := env.Svc.ProfileByRef(ctx, env.Org.ID, "Integrations")
	if err != nil || integ.Permissions != sales.Permissions {
		t.Fatalf("the clone lacks the source's permissions: %v", err)
	}
	_, _, page := fetch(t, c, "GET", env.URL+"/console/setup/security/profiles/compare?a="+std.ID.String()+"&b="+integ.ID.String(), nil)
	if !strings.Contains(page, "1 permission(s) differ") || !strings.Contains(page, "Standard and Integrations") {
		t.Errorf("compare:\n%s", page)
	}
	if status, _, body := fetch(t, c, "POST", env.URL+"/console/setup/security/profiles/delete", url.Values{"csrf": {csrf}, "id": {std.ID.String()}, "transfer_to": {sales.ID.String()}, "confirm": {"yes"}}); status != 400 || !strings.Contains(body, "cannot be deleted") {
		t.Errorf("delete Standard: %d", status)
	}
	if status, _, _ := fetch(t, c, "POST", env.URL+"/console/setup/security/profiles/delete", url.Values{"csrf": {csrf}, "id": {integ.ID.String()}, "transfer_to": {std.ID.String()}, "confirm": {"yes"}}); status != 303 {
		t.Errorf("delete: %d", status)
	}
	if _, err := env.Svc.ProfileByRef(ctx, env.Org.ID, "Integrations"); err == nil {
		t.Error("the profile is still there")
	}
}

// TestAPIConsole: register a server-based client (the secret shown once),
// make a Self Client grant code and exchange it, see the tokens with their
// use, revoke one from a user's page.
func TestAPIConsole(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c, csrf := adminClient(t, env)
	status, _, body := fetch(t, c, "POST", env.URL+"/console/setup/api/clients", url.Values{"csrf": {csrf}, "name": {"Billing sync"},
		"type": {"server_based"}, "redirect_uris": {"https://billing.example.com/cb\n"}})
	if status != 201 || !strings.Contains(body, "client_secret") || !strings.Contains(body, "https://billing.example.com/cb") {
		t.Fatalf("register: %d", status)
	}
	status, _, body = fetch(t, c, "POST", env.URL+"/console/setup/api/grant", url.Values{"csrf": {csrf}, "scopes": {"ZohoCRM.users.READ"}, "ttl": {"5"}})
	code := regexp.MustCompile(`code: <code>(1000\.[0-9a-f.]+)</code>`).FindStringSubmatch(body)
	if status != 201 || code == nil {
		t.Fatalf("grant: %d", status)
	}
	self, err := env.Svc.SelfClient(context.Background(), env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(env.URL+"/oauth/v2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code[1]},
		"client_id": {self.ClientID}, "client_secret": {env.Boot.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(tok), `"refresh_token"`) {
		t.Fatalf("exchange: %s", tok)
	}
	_, _, page := fetch(t, c, "GET", env.URL+"/console/setup/api", nil)
	if !strings.Contains(page, "ZohoCRM.users.READ") || !strings.Contains(page, "never used") {
		t.Errorf("tokens table lacks the new tokens")
	}
	admin := env.Boot.Admin.ID.String()
	_, _, page = fetch(t, c, "GET", env.URL+"/console/users/"+admin, nil)
	ids := regexp.MustCompile(`/console/setup/api/tokens/(\d+)/revoke`).FindAllStringSubmatch(page, -1)
	if len(ids) == 0 {
		t.Fatal("no token on the admin's page")
	}
	status, loc, _ := fetch(t, c, "POST", env.URL+"/console/setup/api/tokens/"+ids[0][1]+"/revoke", url.Values{"csrf": {csrf}, "back": {"/console/users/" + admin}, "confirm": {"yes"}})
	if status != 303 || !strings.HasPrefix(loc, "/console/users/"+admin+"?done=") {
		t.Errorf("revoke: %d %s", status, loc)
	}
	_, _, after := fetch(t, c, "GET", env.URL+"/console/users/"+admin, nil)
	if n := len(regexp.MustCompile(`/console/setup/api/tokens/(\d+)/revoke`).FindAllString(after, -1)); n >= len(ids) || strings.Contains(after, "/tokens/"+ids[0][1]+"/") {
		t.Errorf("the revoked token is still listed (%d of %d left)", n, len(ids))
	}
}

// TestSessionExpires: a session ends after service.SessionTTL.
func TestSessionExpires(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := login(t, env, "grace.nwosu@example.com", "grace's password")
	if status, _, _ := fetch(t, c, "GET", env.URL+"/console/me", nil); status != 200 {
		t.Fatalf("signed in: %d", status)
	}
	env.Clock.Advance(service.SessionTTL + time.Minute)
	if status, loc, _ := fetch(t, c, "GET", env.URL+"/console/me", nil); status != http.StatusSeeOther || loc != "/console/login" {
		t.Errorf("after %s: %d %s", service.SessionTTL, status, loc)
	}
}

// TestAPIAccessReport: the report lists exactly the active users whose
// profile has API access, and follows a permission change.
func TestAPIAccessReport(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c, _ := adminClient(t, env)
	_, _, page := fetch(t, c, "GET", env.URL+"/console/setup/api-access", nil)
	// Sales (API on): Patricia, Marcus, Daniel, Emma, Hiro, Sofia, Lucas, Priya, Mateo, Hannah;
	// Administrator: the admin and Arjun. Standard and Support are off.
	if !strings.Contains(page, "12 active user(s) can call the API") || strings.Contains(page, "grace.nwosu@example.com") {
		t.Errorf("report:\n%s", page)
	}
	if _, err := env.Svc.SetProfilePermissions(context.Background(), env.Admin, env.User(t, "grace.nwosu@example.com").ProfileID,
		map[string]bool{"Crm_Implied_Api_Access": true}); err != nil {
		t.Fatal(err)
	}
	_, _, page = fetch(t, c, "GET", env.URL+"/console/setup/api-access", nil)
	if !strings.Contains(page, "grace.nwosu@example.com") || strings.Contains(page, "oliver.brandt@example.com") {
		t.Errorf("after turning Standard on (Oliver is deactivated):\n%s", page)
	}
}
