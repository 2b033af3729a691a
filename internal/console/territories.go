package console

import (
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

const territoriesPath = "/console/setup/security/territories"

type territoryRow struct {
	ID             crmguard.ID
	Name           string
	Description    string
	Depth          int // levels below the root, for the indent
	Root           bool
	Manager        string // the manager's e-mail, "" for none
	PermissionType string
	Count          int      // members
	Members        []string // the first membersShown members' e-mails
}

// membersShown bounds the e-mails a row lists: a territory may hold most
// of a large org, and the count says the rest.
const membersShown = 20

// More is how many members the row does not list.
func (t territoryRow) More() int { return t.Count - len(t.Members) }

// Indent is the row's left padding in rem: the tree's shape without
// JavaScript.
func (t territoryRow) Indent() float64 { return float64(t.Depth) * 1.2 }

// territories shows the territory tree with managers and members, and
// adds, deletes and assigns through the service the API uses.
func (c *Console) territories(w http.ResponseWriter, r *request) {
	c.territoriesPage(w, r, http.StatusOK, r.URL.Query().Get("done"), "")
}

func (c *Console) territoriesPage(w http.ResponseWriter, r *request, status int, flash, errMsg string) {
	ts, err := c.svc.ListTerritories(r.Context(), r.user.OrgID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	emails := map[crmguard.ID]string{}
	email := func(id crmguard.ID) (string, error) {
		if e, ok := emails[id]; ok || id == 0 {
			return e, nil
		}
		u, err := c.svc.GetUser(r.Context(), r.user.OrgID, id)
		if err != nil {
			return "", err
		}
		emails[id] = u.Email
		return u.Email, nil
	}
	kids := map[crmguard.ID][]*crmguard.Territory{}
	for _, t := range ts {
		kids[t.ReportingTo] = append(kids[t.ReportingTo], t)
	}
	d := r.base("Territories · Security Control", "setup")
	d.Tab, d.Flash, d.Error = "territories", flash, errMsg
	// Depth-first from the root (ReportingTo 0), each level oldest first
	// as the store lists them; the depth bound stops a damaged tree.
	var walk func(parent crmguard.ID, depth int) error
	walk = func(parent crmguard.ID, depth int) error {
		for _, t := range kids[parent] {
			row := territoryRow{ID: t.ID, Name: t.Name, Description: t.Description, Depth: depth, Root: t.ReportingTo == 0, PermissionType: t.PermissionType}
			var err error
			if row.Manager, err = email(t.Manager); err != nil {
				return err
			}
			ids, err := c.svc.TerritoryUserIDs(r.Context(), r.user.OrgID, t.ID)
			if err != nil {
				return err
			}
			row.Count = len(ids)
			for _, id := range ids[:min(len(ids), membersShown)] {
				e, err := email(id)
				if err != nil {
					return err
				}
				row.Members = append(row.Members, e)
			}
			d.TerritoryRows = append(d.TerritoryRows, row)
			if depth < 64 {
				if err := walk(t.ID, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(0, 0); err != nil {
		c.internal(w, r, err)
		return
	}
	c.render(w, status, "territories", d)
}

func (c *Console) territoryResult(w http.ResponseWriter, r *request, results []error, err error, done string) {
	if err == nil && len(results) == 1 {
		err = results[0]
	}
	c.finish(w, r, err, func(status int, flash, msg string) { c.territoriesPage(w, r, status, flash, msg) }, territoriesPath, done)
}

// formUser finds the user the form names by e-mail.
func (c *Console) formUser(r *request, field string) (*crmguard.User, error) {
	return c.svc.UserByEmail(r.Context(), r.user.OrgID, strings.TrimSpace(r.PostForm.Get(field)))
}

// addTerritory adds a territory under the one the form names; with no
// territories yet, the first is the root and reports to none.
func (c *Console) addTerritory(w http.ResponseWriter, r *request) {
	name, desc, perm := r.PostForm.Get("name"), r.PostForm.Get("description"), r.PostForm.Get("permission_type")
	in := service.TerritoryInput{Name: &name, Description: &desc, PermissionType: &perm}
	if v := r.PostForm.Get("reporting_to"); v != "" {
		id, _ := crmguard.ParseID(v) // 0 names no territory: the service refuses it
		in.ReportingTo = &id
	}
	if strings.TrimSpace(r.PostForm.Get("manager")) != "" {
		u, err := c.formUser(r, "manager")
		if err != nil {
			c.territoryResult(w, r, nil, err, "")
			return
		}
		in.Manager = &u.ID
	}
	_, results, err := c.svc.AddTerritories(r.Context(), r.actor(c), []service.TerritoryInput{in})
	c.territoryResult(w, r, results, err, "Added territory "+strings.TrimSpace(name)+".")
}

// territoryAction assigns or unassigns one user, or deletes the territory.
func (c *Console) territoryAction(w http.ResponseWriter, r *request) {
	id, ok := crmguard.ParseID(r.PathValue("id"))
	if !ok {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such territory.")
		return
	}
	switch action := r.PostForm.Get("action"); action {
	case "delete":
		if !confirmed(r) { // destructive: a second POST, as every delete in the console
			t, err := c.svc.GetTerritory(r.Context(), r.user.OrgID, id)
			if err != nil {
				c.fail(w, r, http.StatusNotFound, "Not found", "There is no such territory.")
				return
			}
			members, err := c.svc.TerritoryUserIDs(r.Context(), r.user.OrgID, id)
			if err != nil {
				c.internal(w, r, err)
				return
			}
			c.confirm(w, r, confirmation{Title: "Delete territory " + t.Name + "?",
				Text:   "Its " + plural(len(members), "member leaves", "members leave") + " the territory and stay users of the org. This cannot be undone.",
				Fields: map[string]string{"action": "delete"}, Cancel: territoriesPath})
			return
		}
		c.territoryResult(w, r, nil, c.svc.DeleteTerritory(r.Context(), r.actor(c), id), "Deleted the territory.")
	case "assign", "unassign":
		u, err := c.formUser(r, "user")
		if err != nil {
			c.territoryResult(w, r, nil, err, "")
			return
		}
		var results []error
		if action == "assign" {
			results, err = c.svc.AssociateTerritoryUsers(r.Context(), r.actor(c), id, []crmguard.ID{u.ID})
			c.territoryResult(w, r, results, err, "Assigned "+u.Email+".")
			return
		}
		results, err = c.svc.RemoveTerritoryUsers(r.Context(), r.actor(c), id, []crmguard.ID{u.ID})
		c.territoryResult(w, r, results, err, "Unassigned "+u.Email+".")
	default:
		c.fail(w, r, http.StatusBadRequest, "Bad request", "Unknown action.")
	}
}

// userTerritories names the territories a user belongs to, for the user
// page.
func (c *Console) userTerritories(r *request, id crmguard.ID) ([]string, error) {
	ts, err := c.svc.UserTerritories(r.Context(), r.user.OrgID, id)
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	return names, err
}
