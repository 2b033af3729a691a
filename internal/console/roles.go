package console

import (
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

type roleRow struct {
	ID, ReportsTo crmguard.ID
	Name          string
	Indent        int
	Users         int
	Top           bool
}

// roles shows the role tree, each role under the one it reports to.
func (c *Console) roles(w http.ResponseWriter, r *request) {
	c.rolesPage(w, r, http.StatusOK, r.URL.Query().Get("done"), "")
}

func (c *Console) rolesPage(w http.ResponseWriter, r *request, status int, flash, errMsg string) {
	roles, err := c.svc.ListRoles(r.Context(), r.user.OrgID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	users := map[crmguard.ID]int{}
	for page := 1; ; page++ { // counts per role; the console's tree is small, users may not be
		res, err := c.svc.ListUsers(r.Context(), r.user.OrgID, service.UserQuery{Type: "AllUsers", Page: page, PerPage: 200})
		if err != nil {
			c.internal(w, r, err)
			return
		}
		for _, u := range res.Users {
			users[u.RoleID]++
		}
		if !res.More || page >= 50 {
			break
		}
	}
	children := map[crmguard.ID][]*crmguard.Role{}
	for _, ro := range roles {
		children[ro.ReportingTo] = append(children[ro.ReportingTo], ro)
	}
	d := r.base("Roles · Security Control", "setup")
	d.Tab, d.Flash, d.Error = "roles", flash, errMsg
	var walk func(parent crmguard.ID, depth int)
	walk = func(parent crmguard.ID, depth int) {
		for _, ro := range children[parent] {
			d.RoleRows = append(d.RoleRows, roleRow{ID: ro.ID, ReportsTo: ro.ReportingTo, Name: ro.Name, Indent: 1 + depth*2,
				Users: users[ro.ID], Top: ro.ReportingTo == 0})
			if depth < 64 {
				walk(ro.ID, depth+1)
			}
		}
	}
	walk(0, 0)
	c.render(w, status, "roles", d)
}

// roleResult answers a role form with its one result.
func (c *Console) roleResult(w http.ResponseWriter, r *request, results []error, err error, done string) {
	if err == nil && len(results) == 1 {
		err = results[0]
	}
	c.finish(w, r, err, func(status int, flash, msg string) { c.rolesPage(w, r, status, flash, msg) }, "/console/setup/security/roles", done)
}

func (c *Console) addRole(w http.ResponseWriter, r *request) {
	name := r.PostForm.Get("name")
	parent, _ := crmguard.ParseID(r.PostForm.Get("reporting_to"))
	_, results, err := c.svc.AddRoles(r.Context(), r.actor(c), []service.RoleInput{{Name: &name, ReportingTo: &parent}})
	c.roleResult(w, r, results, err, "Added role "+name+".")
}

func (c *Console) roleAction(w http.ResponseWriter, r *request) {
	id, ok := crmguard.ParseID(r.PathValue("id"))
	if !ok {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such role.")
		return
	}
	switch r.PostForm.Get("action") {
	case "update":
		in := service.RoleInput{ID: id, HasID: true}
		if name := r.PostForm.Get("name"); name != "" {
			in.Name = &name
		}
		if s := r.PostForm.Get("reporting_to"); s != "" {
			parent, _ := crmguard.ParseID(s)
			in.ReportingTo = &parent
		}
		results, err := c.svc.UpdateRoles(r.Context(), r.actor(c), []service.RoleInput{in})
		c.roleResult(w, r, results, err, "Saved.")
	case "delete":
		to, ok := crmguard.ParseID(r.PostForm.Get("transfer_to"))
		if !ok { // no default: the admin chooses where the users go
			c.rolesPage(w, r, http.StatusBadRequest, "", "Choose the role that receives the users and sub-roles.")
			return
		}
		if !confirmed(r) {
			c.confirmDeleteRole(w, r, id, to)
			return
		}
		err := c.svc.DeleteRole(r.Context(), r.actor(c), id, to)
		c.roleResult(w, r, nil, err, "Deleted the role; its users and sub-roles moved.")
	default:
		c.rolesPage(w, r, http.StatusBadRequest, "", "Unknown action.")
	}
}

// confirmDeleteRole names the role, the one receiving its users and
// sub-roles, and how many move.
func (c *Console) confirmDeleteRole(w http.ResponseWriter, r *request, id, to crmguard.ID) {
	roles, err := c.svc.ListRoles(r.Context(), r.user.OrgID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	var role, dest *crmguard.Role
	subRoles := 0
	for _, ro := range roles {
		switch {
		case ro.ID == id:
			role = ro
		case ro.ID == to:
			dest = ro
		}
		if ro.ReportingTo == id {
			subRoles++
		}
	}
	if role == nil {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such role.")
		return
	}
	if dest == nil {
		c.rolesPage(w, r, http.StatusBadRequest, "", "Choose the role that receives the users and sub-roles: another role than the one deleted.")
		return
	}
	n, users, err := c.usersWith(r, "role", role.ID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	var text string
	switch {
	case n == 0 && subRoles == 0:
		text = "It has no users and no sub-roles; nothing moves to " + dest.Name + "."
	case subRoles == 0:
		text = "Its " + users + " to " + dest.Name + "."
	case n == 0:
		text = "It has no users; its " + plural(subRoles, "sub-role", "sub-roles") + " then report to " + dest.Name + "."
	default:
		text = "Its " + users + " to " + dest.Name + ", and its " + plural(subRoles, "sub-role", "sub-roles") + " then report to " + dest.Name + "."
	}
	c.confirm(w, r, confirmation{Title: "Delete role " + role.Name + "?", Text: text + " This cannot be undone.",
		Fields: map[string]string{"action": "delete", "transfer_to": dest.ID.String()}, Cancel: "/console/setup/security/roles"})
}
