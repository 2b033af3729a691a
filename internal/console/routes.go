package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are parsed once: the layout with each page's content.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "password", "me", "error", "setup", "security", "profile", "users", "user", "invite",
		"roles", "ips", "audit", "compare", "api", "report", "confirm"} {
		out[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/tabs.html", "templates/"+name+".html"))
	}
	return out
}()

// Cookie names: the session is shared with the accounts pages (/oauth).
const (
	sessionCookie = "crmguard_session"
	loginCookie   = "crmguard_login" // double-submit token of the login form
)

// Console serves /console.
type Console struct {
	svc *service.Service
	log *slog.Logger
	ip  web.ClientIP
}

// New returns the console.
func New(svc *service.Service, log *slog.Logger, ip web.ClientIP) *Console {
	return &Console{svc: svc, log: log, ip: ip}
}

// Register adds the console's routes.
func (c *Console) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /console", c.home)
	mux.HandleFunc("GET /console/{$}", c.home)
	mux.HandleFunc("GET /console/login", c.loginPage)
	mux.HandleFunc("POST /console/login", c.login)
	mux.HandleFunc("POST /console/login/password", c.loginChangingPassword)
	mux.Handle("POST /console/logout", c.page(c.logout, false))
	mux.Handle("GET /console/password", c.page(c.passwordPage, false))
	mux.Handle("POST /console/password", c.page(c.changePassword, false))
	mux.Handle("GET /console/me", c.page(c.me, true))
	mux.Handle("GET /console/setup", c.admin(c.setup, ""))
	mux.Handle("GET /console/setup/security", c.admin(c.security, crmguard.PermManageProfiles))
	mux.Handle("POST /console/setup/security/profiles", c.admin(c.cloneProfile, crmguard.PermManageProfiles))
	mux.Handle("POST /console/setup/security/profiles/delete", c.admin(c.deleteProfile, crmguard.PermManageProfiles))
	mux.Handle("GET /console/setup/security/profiles/compare", c.admin(c.compare, crmguard.PermManageProfiles))
	mux.Handle("GET /console/setup/security/profiles/{id}", c.admin(c.profile, crmguard.PermManageProfiles))
	mux.Handle("POST /console/setup/security/profiles/{id}", c.admin(c.saveProfile, crmguard.PermManageProfiles))
	mux.Handle("GET /console/users", c.admin(c.users, crmguard.PermManageUsers))
	mux.Handle("GET /console/users/new", c.admin(c.invitePage, crmguard.PermManageUsers))
	mux.Handle("POST /console/users/new", c.admin(c.invite, crmguard.PermManageUsers))
	mux.Handle("GET /console/users/{id}", c.admin(c.user, crmguard.PermManageUsers))
	mux.Handle("POST /console/users/{id}", c.admin(c.userAction, crmguard.PermManageUsers))
	mux.Handle("GET /console/setup/security/roles", c.admin(c.roles, crmguard.PermManageRoles))
	mux.Handle("POST /console/setup/security/roles", c.admin(c.addRole, crmguard.PermManageRoles))
	mux.Handle("POST /console/setup/security/roles/{id}", c.admin(c.roleAction, crmguard.PermManageRoles))
	mux.Handle("GET /console/setup/security/ips", c.admin(c.ips, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/security/ips", c.admin(c.addIP, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/security/ips/{id}/delete", c.admin(c.removeIP, crmguard.PermManageSecurity))
	mux.Handle("GET /console/setup/api", c.admin(c.api, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/api/clients", c.admin(c.registerClient, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/api/grant", c.admin(c.grant, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/api/tokens/{id}/revoke", c.admin(c.revokeToken, ""))
	mux.Handle("GET /console/setup/api-access", c.admin(c.report, ""))
	mux.Handle("GET /console/setup/audit", c.admin(c.audit, crmguard.PermManageSecurity))
	mux.Handle("GET /console/setup/audit.csv", c.admin(c.auditCSV, crmguard.PermManageSecurity))
	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, nil, http.StatusNotFound, "Not found", "There is no such page in the console.")
	})
}

// request is a signed-in request: the user, their profile and the session.
type request struct {
	*http.Request
	user    *crmguard.User
	profile *crmguard.Profile
	session string
}

func (r *request) actor(c *Console) crmguard.Actor {
	return crmguard.Actor{OrgID: r.user.OrgID, UserID: r.user.ID, Source: crmguard.SourceConsole, ClientIP: c.ip.Addr(r.Request).String()}
}

// isAdmin reports whether the user holds any Manage_* permission: only they
// see Setup.
func isAdmin(p *crmguard.Profile) bool {
	for _, perm := range []string{crmguard.PermManageUsers, crmguard.PermManageProfiles, crmguard.PermManageRoles, crmguard.PermManageSecurity} {
		if p.Permissions.Has(perm) {
			return true
		}
	}
	return false
}

// data is what every page's layout reads.
type data struct {
	Title, Nav, CSRF, Error, Flash, Email string
	User                                  *crmguard.User
	Admin                                 bool
	Forced                                bool
	Profile                               *crmguard.Profile
	APIAccess                             bool
	ReadOnly                              bool
	Profiles                              []profileRow
	Sections                              []section

	// Users pages.
	Types       []string
	Type, Query string
	Count, Page int
	Users       []userRow
	Prev, Next  string
	Target      *userRow
	Roles       []*crmguard.Role
	ProfileList []*crmguard.Profile
	Actions     []userAction
	InviteURL   string
	Form        map[string]string

	// Security Control and audit pages.
	Tab      string
	RoleRows []roleRow
	Rules    []ruleRow
	Events   []eventRow
	CSVLink  string
	Compare  *comparison

	// Who has API access.
	ReportProfiles []reportProfile
	ReportUsers    []reportUser

	// API console.
	Clients []*crmguard.Client
	Tokens  []tokenRow
	Secret  map[string]string
}

func (c *Console) render(w http.ResponseWriter, status int, name string, d data) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	// Console URLs carry user and token IDs and search terms: no page
	// passes them on to another site.
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := pages[name].ExecuteTemplate(w, "layout", d); err != nil {
		c.log.Error("render", "page", name, "err", err)
	}
}

func (c *Console) fail(w http.ResponseWriter, r *request, status int, title, msg string) {
	d := data{Title: title, Error: msg}
	if r != nil {
		d.User, d.CSRF, d.Admin = r.user, csrfToken(r.session), isAdmin(r.profile)
	}
	c.render(w, status, "error", d)
}

// base fills the layout's data for a signed-in request.
func (r *request) base(title, nav string) data {
	return data{Title: title, Nav: nav, CSRF: csrfToken(r.session), User: r.user, Admin: isAdmin(r.profile)}
}

func csrfToken(session string) string {
	h := sha256.Sum256([]byte("csrf:" + session))
	return hex.EncodeToString(h[:])
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// page wraps a handler that needs a session: no session redirects to the
// login page; a POST needs the session's CSRF token; a user who must
// change a one-time password goes to the password page first.
func (c *Console) page(h func(w http.ResponseWriter, r *request), forceChange bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		ck, err := hr.Cookie(sessionCookie)
		if err != nil {
			http.Redirect(w, hr, "/console/login", http.StatusSeeOther)
			return
		}
		u, err := c.svc.SessionUser(hr.Context(), ck.Value)
		if err != nil {
			http.Redirect(w, hr, "/console/login", http.StatusSeeOther)
			return
		}
		p, err := c.svc.UserProfile(hr.Context(), u)
		if err != nil {
			c.log.Error("console profile", "err", err)
			c.fail(w, nil, http.StatusInternalServerError, "Error", "Something went wrong. Try again later.")
			return
		}
		r := &request{Request: hr, user: u, profile: p, session: ck.Value}
		if hr.Method == http.MethodPost {
			if err := web.ParseForm(w, hr); err != nil {
				status, msg := formError(err)
				c.fail(w, r, status, "Request refused", msg)
				return
			}
			if !sameToken(hr.PostForm.Get("csrf"), csrfToken(ck.Value)) {
				c.fail(w, r, http.StatusForbidden, "Request refused", "The form is stale or did not come from this console (CSRF check failed). Reload the page and try again.")
				return
			}
		}
		if forceChange && u.MustChangePassword {
			http.Redirect(w, hr, "/console/password", http.StatusSeeOther)
			return
		}
		h(w, r)
	})
}

// admin wraps a setup page: it needs a session and perm (any Manage_*
// permission when perm is ""); others get 403.
func (c *Console) admin(h func(w http.ResponseWriter, r *request), perm string) http.Handler {
	return c.page(func(w http.ResponseWriter, r *request) {
		if (perm == "" && !isAdmin(r.profile)) || (perm != "" && !r.profile.Permissions.Has(perm)) {
			c.fail(w, r, http.StatusForbidden, "Permission denied", "Only administrators can open Setup. Your profile does not allow this page.")
			return
		}
		h(w, r)
	}, true)
}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/console/me", http.StatusSeeOther)
}

func (c *Console) me(w http.ResponseWriter, r *request) {
	d := r.base("My account", "me")
	d.Profile, d.APIAccess = r.profile, r.profile.Permissions.Has(crmguard.PermAPIAccess)
	if r.URL.Query().Get("password") == "changed" {
		d.Flash = "Your password is changed."
	}
	c.render(w, http.StatusOK, "me", d)
}

func randomToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// setCookie sets a console cookie; it is Secure whenever the browser
// reached us over HTTPS, behind a TLS-terminating proxy too.
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: c.ip.Secure(r), SameSite: http.SameSiteLaxMode})
}

// formError is the status and message of a form web.ParseForm refused.
func formError(err error) (int, string) {
	switch {
	case errors.Is(err, web.ErrFormTooLarge):
		return http.StatusRequestEntityTooLarge, "The form is too large."
	case errors.Is(err, web.ErrFormFile):
		return http.StatusBadRequest, "The form carries a file; console forms take none."
	}
	return http.StatusBadRequest, "The form could not be read."
}

// finish answers a form post: a Zoho-style error from the service shows on
// the page again (page renders it with a 400); success redirects to to
// with a flash message; anything else is an internal error.
func (c *Console) finish(w http.ResponseWriter, r *request, err error, page func(status int, flash, errMsg string), to, flash string) {
	if err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			page(http.StatusBadRequest, "", ce.Message)
			return
		}
		c.internal(w, r, err)
		return
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r.Request, to+sep+"done="+url.QueryEscape(flash), http.StatusSeeOther)
}
