package console

import (
	"net/http"

	"github.com/crmguard/crmguard"
)

type reportProfile struct {
	ID        crmguard.ID
	Name      string
	APIAccess bool
	Active    int
}

type reportUser struct {
	ID                         crmguard.ID
	Name, Email, Profile, Role string
	Restricted                 bool
}

// report is "Who has API access": profiles with the permission and their
// active users, then every active user who can call the API.
func (c *Console) report(w http.ResponseWriter, r *request) {
	rows, active, err := c.svc.APIAccessReport(r.Context(), r.user.OrgID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	_, profiles, rn, _, err := c.names(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := r.base("Who has API access", "setup")
	for _, p := range profiles {
		d.ReportProfiles = append(d.ReportProfiles, reportProfile{ID: p.ID, Name: p.Name,
			APIAccess: p.Permissions.Has(crmguard.PermAPIAccess), Active: active[p.ID]})
	}
	for _, row := range rows {
		u := row.User
		d.ReportUsers = append(d.ReportUsers, reportUser{ID: u.ID, Name: u.FullName(), Email: u.Email,
			Profile: row.Profile.Name, Role: rn[u.RoleID], Restricted: row.Restricted})
	}
	c.render(w, http.StatusOK, "report", d)
}
