package console

import (
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

type permCell struct {
	Name, Label string
	On          bool
}

type gridRow struct {
	Module string
	Perms  []permCell
}

type category struct {
	Label string
	Perms []permCell
}

// section is one block of a profile page: the module grid (View, Create,
// Edit, Delete per module) or categories of toggles.
type section struct {
	Name, Label string
	Grid        []gridRow
	Categories  []category
}

type profileRow struct {
	ID                crmguard.ID
	Name, Description string
	APIAccess, Custom bool
	Administrator     bool // listed last, never preselected, where users would move
}

var sectionLabels = map[string]string{
	"modules": "Module Permissions", "setup": "Setup Permissions", "tool": "Tool Permissions", "developer": "Developer Permissions",
}

// sections lays the catalogue out for a profile, in catalogue order.
func sections(p *crmguard.Profile) []section {
	var out []section
	for i, d := range crmguard.Catalogue {
		if len(out) == 0 || out[len(out)-1].Name != d.Section {
			out = append(out, section{Name: d.Section, Label: sectionLabels[d.Section]})
		}
		s := &out[len(out)-1]
		cell := permCell{Name: d.Name, Label: d.DisplayLabel, On: p.Permissions.HasIndex(i)}
		if d.Module != "" {
			label := moduleLabel(d.Module)
			if n := len(s.Grid); n == 0 || s.Grid[n-1].Module != label {
				s.Grid = append(s.Grid, gridRow{Module: label})
			}
			row := &s.Grid[len(s.Grid)-1]
			cell.Label = d.DisplayLabel + " " + label
			row.Perms = append(row.Perms, cell)
			continue
		}
		// A category named like its section (Developer Permissions) gets
		// no heading of its own: the section's says it already.
		catLabel := d.CategoryName
		if catLabel == s.Label {
			catLabel = ""
		}
		if n := len(s.Categories); n == 0 || s.Categories[n-1].Label != catLabel {
			s.Categories = append(s.Categories, category{Label: catLabel})
		}
		cat := &s.Categories[len(s.Categories)-1]
		cat.Perms = append(cat.Perms, cell)
	}
	return out
}

// moduleLabel is a module's API name as Zoho's Setup shows it: words, not
// underscores ("Price Books" for Price_Books).
func moduleLabel(module string) string { return strings.ReplaceAll(module, "_", " ") }

// security is Setup › Security Control, opening on the Profiles tab.
func (c *Console) security(w http.ResponseWriter, r *request) {
	c.securityPage(w, r, http.StatusOK, r.URL.Query().Get("done"), "")
}

func (c *Console) securityPage(w http.ResponseWriter, r *request, status int, flash, errMsg string) {
	ps, err := c.svc.ListProfiles(r.Context(), r.user.OrgID)
	if err != nil {
		c.log.Error("console profiles", "err", err)
		c.fail(w, r, http.StatusInternalServerError, "Error", "Something went wrong. Try again later.")
		return
	}
	d := r.base("Security Control", "setup")
	d.Tab, d.Flash, d.Error = "profiles", flash, errMsg
	for _, p := range ps {
		d.Profiles = append(d.Profiles, profileRow{ID: p.ID, Name: p.Name, Description: p.Description,
			APIAccess: p.Permissions.Has(crmguard.PermAPIAccess), Custom: p.Custom, Administrator: p.IsAdministrator()})
	}
	c.render(w, status, "security", d)
}

func (c *Console) profilePage(w http.ResponseWriter, r *request, status int, p *crmguard.Profile, flash, errMsg string) {
	d := r.base(p.Name+" · Profiles", "setup")
	d.Profile, d.APIAccess, d.ReadOnly = p, p.Permissions.Has(crmguard.PermAPIAccess), p.IsAdministrator()
	d.Sections, d.Flash, d.Error = sections(p), flash, errMsg
	c.render(w, status, "profile", d)
}

func (c *Console) loadProfile(w http.ResponseWriter, r *request) *crmguard.Profile {
	id, ok := crmguard.ParseID(r.PathValue("id"))
	if !ok {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such profile.")
		return nil
	}
	p, err := c.svc.GetProfile(r.Context(), r.user.OrgID, id)
	if err != nil {
		if _, ok := crmguard.AsError(err); !ok {
			c.log.Error("console profile", "err", err)
		}
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such profile.")
		return nil
	}
	return p
}

// profile shows a profile's permissions by section, Developer Permissions
// (with "Zoho CRM API Access") last, as in Zoho's Setup.
func (c *Console) profile(w http.ResponseWriter, r *request) {
	if p := c.loadProfile(w, r); p != nil {
		flash := ""
		if r.URL.Query().Get("saved") == "1" {
			flash = "Saved."
		}
		c.profilePage(w, r, http.StatusOK, p, flash, "")
	}
}

// saveProfile applies the posted toggles: every permission of the
// catalogue is on if its box was checked, off otherwise.
func (c *Console) saveProfile(w http.ResponseWriter, r *request) {
	p := c.loadProfile(w, r)
	if p == nil {
		return
	}
	on := map[string]bool{}
	for _, name := range r.PostForm["perm"] {
		on[name] = true
	}
	changes := make(map[string]bool, len(crmguard.Catalogue))
	for _, d := range crmguard.Catalogue {
		changes[d.Name] = on[d.Name]
	}
	for name := range on {
		if _, ok := crmguard.PermissionIndex(name); !ok {
			c.profilePage(w, r, http.StatusBadRequest, p, "", "Unknown permission "+name+".")
			return
		}
	}
	if _, err := c.svc.SetProfilePermissions(r.Context(), r.actor(c), p.ID, changes); err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			c.profilePage(w, r, http.StatusBadRequest, p, "", ce.Message)
			return
		}
		c.log.Error("console save profile", "err", err)
		c.fail(w, r, http.StatusInternalServerError, "Error", "Something went wrong. Try again later.")
		return
	}
	http.Redirect(w, r.Request, "/console/setup/security/profiles/"+p.ID.String()+"?saved=1", http.StatusSeeOther)
}

// securityResult answers a profile write from the Profiles tab.
func (c *Console) securityResult(w http.ResponseWriter, r *request, err error, done string) {
	c.finish(w, r, err, func(status int, flash, msg string) { c.securityPage(w, r, status, flash, msg) }, "/console/setup/security", done)
}

func (c *Console) cloneProfile(w http.ResponseWriter, r *request) {
	src, _ := crmguard.ParseID(r.PostForm.Get("source"))
	name, desc := r.PostForm.Get("name"), r.PostForm.Get("description")
	in := service.ProfileInput{Name: &name}
	if desc != "" {
		in.Description = &desc
	}
	_, err := c.svc.CloneProfile(r.Context(), r.actor(c), src, in)
	c.securityResult(w, r, err, "Created profile "+name+".")
}

// deleteProfile deletes a profile once confirmed, moving its users to the
// profile the admin chose; there is no default, so users never land on
// Administrator without the admin picking it.
func (c *Console) deleteProfile(w http.ResponseWriter, r *request) {
	id, _ := crmguard.ParseID(r.PostForm.Get("id"))
	to, ok := crmguard.ParseID(r.PostForm.Get("transfer_to"))
	if !ok {
		c.securityPage(w, r, http.StatusBadRequest, "", "Choose the profile that receives the users.")
		return
	}
	if !confirmed(r) {
		c.confirmDeleteProfile(w, r, id, to)
		return
	}
	err := c.svc.DeleteProfile(r.Context(), r.actor(c), id, to)
	c.securityResult(w, r, err, "Deleted the profile; its users moved.")
}

// confirmDeleteProfile names the profile, the one receiving its users and
// how many move.
func (c *Console) confirmDeleteProfile(w http.ResponseWriter, r *request, id, to crmguard.ID) {
	again := func(msg string) { c.securityPage(w, r, http.StatusBadRequest, "", msg) }
	p, err := c.svc.GetProfile(r.Context(), r.user.OrgID, id)
	if err != nil {
		if _, ok := crmguard.AsError(err); ok {
			again("Choose the profile to delete.")
			return
		}
		c.internal(w, r, err)
		return
	}
	dest, err := c.svc.GetProfile(r.Context(), r.user.OrgID, to)
	if err != nil || dest.ID == p.ID {
		if _, ok := crmguard.AsError(err); ok || err == nil {
			again("Choose the profile that receives the users: another profile than the one deleted.")
			return
		}
		c.internal(w, r, err)
		return
	}
	n, users, err := c.usersWith(r, "profile", p.ID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	text := "Its " + users + " to " + dest.Name + " and get that profile's permissions. This cannot be undone."
	switch {
	case n == 0:
		text = "It has no users; none move to " + dest.Name + ". This cannot be undone."
	case dest.IsAdministrator():
		text = "Its " + users + " to Administrator, which holds every permission: they become administrators of the org. This cannot be undone."
	}
	c.confirm(w, r, confirmation{Title: "Delete profile " + p.Name + "?", Text: text,
		Fields: map[string]string{"id": p.ID.String(), "transfer_to": dest.ID.String()}, Cancel: "/console/setup/security"})
}

type comparison struct {
	A, B   string
	Differ int
	Rows   []compareRow
}

type compareRow struct {
	Section, Label string
	A, B, Differ   bool
}

// compare shows two profiles' permissions side by side.
func (c *Console) compare(w http.ResponseWriter, r *request) {
	var ps [2]*crmguard.Profile
	for i, k := range []string{"a", "b"} {
		id, _ := crmguard.ParseID(r.URL.Query().Get(k))
		p, err := c.svc.GetProfile(r.Context(), r.user.OrgID, id)
		if err != nil {
			c.securityPage(w, r, http.StatusBadRequest, "", "Choose two profiles to compare.")
			return
		}
		ps[i] = p
	}
	cmp := &comparison{A: ps[0].Name, B: ps[1].Name}
	for i, d := range crmguard.Catalogue {
		label := d.DisplayLabel
		if d.Module != "" {
			label = moduleLabel(d.Module) + ": " + d.DisplayLabel
		}
		row := compareRow{Section: sectionLabels[d.Section], Label: label, A: ps[0].Permissions.HasIndex(i), B: ps[1].Permissions.HasIndex(i)}
		row.Differ = row.A != row.B
		if row.Differ {
			cmp.Differ++
		}
		cmp.Rows = append(cmp.Rows, row)
	}
	d := r.base("Compare profiles", "setup")
	d.Compare = cmp
	c.render(w, http.StatusOK, "compare", d)
}
