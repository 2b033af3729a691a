package oauth

import (
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

// invite shows the page where an invited user sets a password. The token in
// the path is the only credential; it is stored as a hash and works once.
func (e *Endpoints) invite(w http.ResponseWriter, r *http.Request) {
	u, err := e.svc.InvitedUser(r.Context(), r.PathValue("token"))
	if err != nil {
		e.inviteError(w, err)
		return
	}
	e.render(w, http.StatusOK, "invite", pageData{Title: "Set your password", Client: e.orgName(r, u), Email: u.Email})
}

// acceptInvite sets the password and confirms the user.
func (e *Endpoints) acceptInvite(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	u, err := e.svc.InvitedUser(r.Context(), token)
	if err != nil {
		e.inviteError(w, err)
		return
	}
	d := pageData{Title: "Set your password", Client: e.orgName(r, u), Email: u.Email}
	if err := web.ParseForm(w, r); err != nil {
		status, msg := formError(err)
		d.Error = msg
		e.render(w, status, "invite", d)
		return
	}
	if r.PostForm.Get("password") != r.PostForm.Get("confirm") {
		d.Error = "The two passwords differ."
		e.render(w, http.StatusBadRequest, "invite", d)
		return
	}
	if _, err := e.svc.AcceptInvite(r.Context(), e.ip.Addr(r).String(), token, r.PostForm.Get("password")); err != nil {
		if ce, ok := crmguard.AsError(err); ok && ce.Code == crmguard.CodeInvalidData && ce.Details["api_name"] == "password" {
			d.Error = ce.Message
			e.render(w, http.StatusBadRequest, "invite", d)
			return
		}
		e.inviteError(w, err)
		return
	}
	e.render(w, http.StatusOK, "invited", pageData{Title: "Password set", Email: u.Email})
}

func (e *Endpoints) inviteError(w http.ResponseWriter, err error) {
	if ce, ok := crmguard.AsError(err); ok {
		e.render(w, http.StatusNotFound, "error", pageData{Title: "Invitation", Error: ce.Message})
		return
	}
	e.log.Error("invitation", "err", err)
	e.render(w, http.StatusInternalServerError, "error", pageData{Title: "Invitation", Error: "Something went wrong. Try again later."})
}

func (e *Endpoints) orgName(r *http.Request, u *crmguard.User) string {
	if o, err := e.svc.Org(r.Context(), u.OrgID); err == nil {
		return o.CompanyName
	}
	return "your organization"
}
