package console

import (
	"errors"
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

// Cookie names: the session is shared with the accounts pages (/oauth).
const (
	sessionCookie = "crmguard_session"
	loginCookie   = "crmguard_login" // double-submit token of the login form
)

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
