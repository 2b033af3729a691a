package console

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

func (c *Console) me(w http.ResponseWriter, r *request) {
	d := r.base("My account", "me")
	d.Profile, d.APIAccess = r.profile, r.profile.Permissions.Has(crmguard.PermAPIAccess)
	if r.URL.Query().Get("password") == "changed" {
		d.Flash = "Your password is changed."
	}
	c.render(w, http.StatusOK, "me", d)
}

// passwordPage is a signed-in user's voluntary change of password.
func (c *Console) passwordPage(w http.ResponseWriter, r *request) {
	c.render(w, http.StatusOK, "password", r.base("Change password", "me"))
}

func (c *Console) changePassword(w http.ResponseWriter, r *request) {
	d := r.base("Change password", "me")
	next, confirm := r.PostForm.Get("next"), r.PostForm.Get("confirm")
	if next != confirm {
		d.Error = "The two new passwords differ."
		c.render(w, http.StatusBadRequest, "password", d)
		return
	}
	err := c.svc.ChangePassword(r.Context(), r.actor(c), r.PostForm.Get("current"), next)
	var te *service.ThrottledError
	if errors.As(err, &te) {
		w.Header().Set("Retry-After", fmt.Sprint(te.Seconds()))
		d.Error = fmt.Sprintf("Too many wrong passwords. Try again in %d minute(s).", te.Minutes())
		c.render(w, http.StatusTooManyRequests, "password", d)
		return
	}
	if err != nil {
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
