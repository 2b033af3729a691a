package console

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

// loginPage shows the sign-in form with a fresh double-submit token.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := randomToken()
	setCookie(w, r, loginCookie, tok, 3600)
	c.render(w, http.StatusOK, "login", data{Title: "Sign in", CSRF: tok})
}

// login signs in; failures are throttled per e-mail and address.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	again := func(status int, email, msg string) {
		tok := randomToken()
		setCookie(w, r, loginCookie, tok, 3600)
		c.render(w, status, "login", data{Title: "Sign in", CSRF: tok, Email: email, Error: msg})
	}
	if err := r.ParseForm(); err != nil {
		again(http.StatusBadRequest, "", "The form could not be read.")
		return
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		again(http.StatusForbidden, "", "The sign-in form expired or did not come from this console. Try again.")
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	ip := c.ip.Addr(r).String()
	keys := throttleKeys(email, ip)
	if d := c.throttle.wait(keys); d > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(d.Seconds()))))
		again(http.StatusTooManyRequests, email, fmt.Sprintf("Too many failed sign-ins. Try again in %d minute(s).", int(math.Ceil(d.Minutes()))))
		return
	}
	org, err := c.svc.DefaultOrg(r.Context())
	if err != nil {
		c.log.Error("console login", "err", err)
		again(http.StatusInternalServerError, email, "Something went wrong. Try again later.")
		return
	}
	a := crmguard.Actor{OrgID: org.ID, Source: crmguard.SourceConsole, ClientIP: ip}
	tok, u, err := c.svc.Login(r.Context(), a, email, r.PostForm.Get("password"))
	if errors.Is(err, service.ErrBadCredentials) {
		c.throttle.fail(keys)
		again(http.StatusUnauthorized, email, "Wrong e-mail or password.")
		return
	} else if err != nil {
		c.log.Error("console login", "err", err)
		again(http.StatusInternalServerError, email, "Something went wrong. Try again later.")
		return
	}
	c.throttle.reset(keys)
	setCookie(w, r, loginCookie, "", -1)
	setCookie(w, r, sessionCookie, tok, int(service.SessionTTL.Seconds()))
	next := "/console/me"
	if u.MustChangePassword {
		next = "/console/password"
	} else if p, err := c.svc.UserProfile(r.Context(), u); err == nil && isAdmin(p) {
		next = "/console/setup"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *request) {
	if err := c.svc.Logout(r.Context(), r.session); err != nil {
		c.log.Error("console logout", "err", err)
	}
	setCookie(w, r.Request, sessionCookie, "", -1)
	http.Redirect(w, r.Request, "/console/login", http.StatusSeeOther)
}

func (c *Console) passwordPage(w http.ResponseWriter, r *request) {
	d := r.base("Change password", "me")
	d.Forced = r.user.MustChangePassword
	c.render(w, http.StatusOK, "password", d)
}

func (c *Console) changePassword(w http.ResponseWriter, r *request) {
	d := r.base("Change password", "me")
	d.Forced = r.user.MustChangePassword
	next, confirm := r.PostForm.Get("next"), r.PostForm.Get("confirm")
	if next != confirm {
		d.Error = "The two new passwords differ."
		c.render(w, http.StatusBadRequest, "password", d)
		return
	}
	if err := c.svc.ChangePassword(r.Context(), r.actor(c), r.PostForm.Get("current"), next); err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			d.Error = ce.Message
			c.render(w, http.StatusBadRequest, "password", d)
			return
		}
		c.log.Error("console password", "err", err)
		c.fail(w, r, http.StatusInternalServerError, "Error", "Something went wrong. Try again later.")
		return
	}
	if isAdmin(r.profile) {
		http.Redirect(w, r.Request, "/console/setup", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r.Request, "/console/me?password=changed", http.StatusSeeOther)
}
