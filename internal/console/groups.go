package console

import (
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

type groupRow struct {
	ID          crmguard.ID
	Name        string
	Description string
	Sources     []groupSourceRow
}

type groupSourceRow struct {
	Type, Name   string
	ID           crmguard.ID
	Subordinates bool
}

// groups lists the user groups with their sources, and adds, changes and
// deletes them through the service the API uses.
func (c *Console) groups(w http.ResponseWriter, r *request) {
	c.groupsPage(w, r, http.StatusOK, r.URL.Query().Get("done"), "")
}

func (c *Console) groupsPage(w http.ResponseWriter, r *request, status int, flash, errMsg string) {
	gs, err := c.svc.ListUserGroups(r.Context(), r.user.OrgID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	roles, _, rn, _, err := c.names(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := r.base("Groups · Security Control", "setup")
	d.Tab, d.Flash, d.Error, d.Roles = "groups", flash, errMsg, roles
	for _, g := range gs {
		row := groupRow{ID: g.ID, Name: g.Name, Description: g.Description}
		for _, s := range g.Sources {
			name := rn[s.ID]
			if s.Type == crmguard.GroupSourceUsers {
				u, err := c.svc.GetUser(r.Context(), r.user.OrgID, s.ID)
				if err != nil {
					c.internal(w, r, err)
					return
				}
				name = u.Email
			}
			row.Sources = append(row.Sources, groupSourceRow{Type: s.Type, Name: name, ID: s.ID, Subordinates: s.Subordinates})
		}
		d.GroupRows = append(d.GroupRows, row)
	}
	c.render(w, status, "groups", d)
}

// groupSource reads the form's one source: a user's e-mail or a role.
func (c *Console) groupSource(r *request, remove bool) (service.GroupSourceInput, error) {
	if email := strings.TrimSpace(r.PostForm.Get("user")); email != "" {
		u, err := c.svc.UserByEmail(r.Context(), r.user.OrgID, email)
		if err != nil {
			return service.GroupSourceInput{}, err
		}
		return service.GroupSourceInput{Type: crmguard.GroupSourceUsers, ID: u.ID, Delete: remove}, nil
	}
	id, _ := crmguard.ParseID(r.PostForm.Get("role"))
	typ := r.PostForm.Get("type")
	if typ == "" {
		typ = crmguard.GroupSourceRoles
	}
	return service.GroupSourceInput{Type: typ, ID: id, Subordinates: r.PostForm.Get("subordinates") == "on", Delete: remove}, nil
}

func (c *Console) groupResult(w http.ResponseWriter, r *request, results []error, err error, done string) {
	if err == nil && len(results) == 1 {
		err = results[0]
	}
	c.finish(w, r, err, func(status int, flash, msg string) { c.groupsPage(w, r, status, flash, msg) }, "/console/setup/security/groups", done)
}

func (c *Console) addGroup(w http.ResponseWriter, r *request) {
	name, desc := r.PostForm.Get("name"), r.PostForm.Get("description")
	src, err := c.groupSource(r, false)
	if err != nil {
		c.groupResult(w, r, nil, err, "")
		return
	}
	_, results, err := c.svc.AddUserGroups(r.Context(), r.actor(c), []service.UserGroupInput{{Name: &name, Description: &desc,
		Sources: []service.GroupSourceInput{src}, HasSources: true}})
	c.groupResult(w, r, results, err, "Added group "+name+".")
}

// groupAction adds or removes one source, or deletes the group.
func (c *Console) groupAction(w http.ResponseWriter, r *request) {
	id, ok := crmguard.ParseID(r.PathValue("id"))
	if !ok {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such group.")
		return
	}
	switch action := r.PostForm.Get("action"); action {
	case "delete":
		if !confirmed(r) { // destructive: a second POST, as every delete in the console
			g, err := c.svc.GetUserGroup(r.Context(), r.user.OrgID, id)
			if err != nil {
				c.fail(w, r, http.StatusNotFound, "Not found", "There is no such group.")
				return
			}
			c.confirm(w, r, confirmation{Title: "Delete group " + g.Name + "?",
				Text:   "Its members stay users of the org; only the group goes. This cannot be undone.",
				Fields: map[string]string{"action": "delete"}, Cancel: "/console/setup/security/groups"})
			return
		}
		c.groupResult(w, r, nil, c.svc.DeleteUserGroup(r.Context(), r.actor(c), id), "Deleted the group.")
	case "add", "remove":
		src, err := c.groupSource(r, action == "remove")
		if err != nil {
			c.groupResult(w, r, nil, err, "")
			return
		}
		results, err := c.svc.UpdateUserGroups(r.Context(), r.actor(c), []service.UserGroupInput{{ID: id, HasID: true,
			Sources: []service.GroupSourceInput{src}, HasSources: true}})
		c.groupResult(w, r, results, err, "Saved the group.")
	default:
		c.fail(w, r, http.StatusBadRequest, "Bad request", "Unknown action.")
	}
}

// userGroups names the groups a user belongs to, for the user page.
func (c *Console) userGroups(r *request, id crmguard.ID) ([]string, error) {
	gs, err := c.svc.GroupsOfUser(r.Context(), r.user.OrgID, id)
	var names []string
	for _, g := range gs {
		names = append(names, g.Name)
	}
	return names, err
}
