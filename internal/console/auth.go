package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// loginPage shows the sign-in form with a fresh double-submit token.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, http.StatusOK, "login", data{Title: "Sign in", CSRF: c.loginToken(w, r)})
}

// loginToken sets a fresh double-submit token for the sign-in forms and
// returns it for the hidden field.
func (c *Console) loginToken(w http.ResponseWriter, r *http.Request) string {
	tok := randomToken()
	c.setCookie(w, r, loginCookie, tok, 3600)
	return tok
}

// loginForm reads a sign-in form and checks its double-submit token. It
// answers the request itself, with again, when it returns false.
func (c *Console) loginForm(w http.ResponseWriter, r *http.Request, again func(status int, msg string)) bool {
	if err := web.ParseForm(w, r); err != nil {
		again(formError(err))
		return false
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		again(http.StatusForbidden, "The sign-in form expired or did not come from this console. Try again.")
		return false
	}
	return true
}

// signInActor is the actor of a sign-in: the default org, from the
// client's address (which the service's throttle counts by).
func (c *Console) signInActor(w http.ResponseWriter, r *http.Request) (crmguard.Actor, error) {
	org, err := c.svc.DefaultOrg(r.Context())
	if err != nil {
		return crmguard.Actor{}, err
	}
	return crmguard.Actor{OrgID: org.ID, Source: crmguard.SourceConsole, ClientIP: c.ip.Addr(r).String()}, nil
}

// signInRefused answers a refused sign-in, or returns false for an error
// that is not a refusal.
func signInRefused(w http.ResponseWriter, err error, again func(status int, msg string)) bool {
	var te *service.ThrottledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", fmt.Sprint(te.Seconds()))
		again(http.StatusTooManyRequests, fmt.Sprintf("Too many failed sign-ins. Try again in %d minute(s).", te.Minutes()))
	case errors.Is(err, service.ErrBadCredentials):
		again(http.StatusUnauthorized, "Wrong e-mail or password.")
	default:
		return false
	}
	return true
}

// login signs in. The service throttles failures (see service.Login). A
// one-time password opens no session: the page asks for a new password
// first, which loginChangingPassword takes.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	var email string
	again := func(status int, msg string) {
		c.render(w, status, "login", data{Title: "Sign in", CSRF: c.loginToken(w, r), Email: email, Error: msg})
	}
	if !c.loginForm(w, r, again) {
		return
	}
	email = strings.TrimSpace(r.PostForm.Get("email"))
	a, err := c.signInActor(w, r)
	if err != nil {
		c.log.Error("console login", "err", err)
		again(http.StatusInternalServerError, "Something went wrong. Try again later.")
		return
	}
	tok, u, err := c.svc.Login(r.Context(), a, email, r.PostForm.Get("password"))
	if errors.Is(err, service.ErrMustChangePassword) {
		c.render(w, http.StatusOK, "password", data{Title: "Choose a new password", CSRF: c.loginToken(w, r), Email: email, Forced: true})
		return
	}
	if err != nil {
		if !signInRefused(w, err, again) {
			c.log.Error("console login", "err", err)
			again(http.StatusInternalServerError, "Something went wrong. Try again later.")
		}
		return
	}
	c.signedIn(w, r, tok, u, "/console/me")
}

// loginChangingPassword serves POST /console/login/password: the current
// one-time password again (throttled like a sign-in), the new one twice.
// The session opens only once the new password is saved.
func (c *Console) loginChangingPassword(w http.ResponseWriter, r *http.Request) {
	var email string
	again := func(status int, msg string) {
		c.render(w, status, "password", data{Title: "Choose a new password", CSRF: c.loginToken(w, r), Email: email, Forced: true, Error: msg})
	}
	if !c.loginForm(w, r, again) {
		return
	}
	email = strings.TrimSpace(r.PostForm.Get("email"))
	next := r.PostForm.Get("next")
	if next != r.PostForm.Get("confirm") {
		again(http.StatusBadRequest, "The two new passwords differ.")
		return
	}
	a, err := c.signInActor(w, r)
	if err != nil {
		c.log.Error("console login", "err", err)
		again(http.StatusInternalServerError, "Something went wrong. Try again later.")
		return
	}
	tok, u, err := c.svc.LoginChangingPassword(r.Context(), a, email, r.PostForm.Get("current"), next)
	if err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			again(http.StatusBadRequest, ce.Message)
		} else if !signInRefused(w, err, again) {
			c.log.Error("console login", "err", err)
			again(http.StatusInternalServerError, "Something went wrong. Try again later.")
		}
		return
	}
	c.signedIn(w, r, tok, u, "/console/me?password=changed")
}

// signedIn sets the session cookie and goes on: administrators to Setup,
// others to next.
func (c *Console) signedIn(w http.ResponseWriter, r *http.Request, tok string, u *crmguard.User, next string) {
	c.setCookie(w, r, loginCookie, "", -1)
	c.setCookie(w, r, sessionCookie, tok, int(service.SessionTTL.Seconds()))
	if p, err := c.svc.UserProfile(r.Context(), u); err == nil && isAdmin(p) {
		next = "/console/setup"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *request) {
	if err := c.svc.Logout(r.Context(), r.actor(c), r.session); err != nil {
		c.log.Error("console logout", "err", err)
	}
	c.setCookie(w, r.Request, sessionCookie, "", -1)
	http.Redirect(w, r.Request, "/console/login", http.StatusSeeOther)
}
