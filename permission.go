package crmguard

// Permission names the enforcement code refers to.
const (
	PermAPIAccess      = "Crm_Implied_Api_Access"
	PermManageUsers    = "Crm_Implied_Manage_Users"
	PermManageProfiles = "Crm_Implied_Manage_Profiles"
	PermManageRoles    = "Crm_Implied_Manage_Roles"
	PermManageSecurity = "Crm_Implied_Manage_Security"
)

// PermissionDef is one entry of the permission catalogue that every profile
// of every org holds. Its position in Catalogue is its index in a PermSet.
type PermissionDef struct {
	Name         string
	DisplayLabel string
	Module       string // empty for non-module permissions
	Section      string // name of the profile section it is listed under
	Category     string // name of the category within that section
	CategoryName string // display label of the category
	// Standard says whether the built-in Standard profile has it enabled.
	Standard bool
}

// Modules whose View/Create/Edit/Delete permissions are in the catalogue.
var Modules = []string{
	"Leads", "Contacts", "Accounts", "Deals", "Tasks", "Events", "Calls",
	"Products", "Quotes", "Vendors", "Campaigns", "Cases", "Solutions",
	"Price_Books", "Sales_Orders", "Purchase_Orders", "Invoices",
}

type simplePerm struct {
	name, label, section, category, categoryLabel string
	standard                                      bool
}

var nonModulePerms = []simplePerm{
	{"Crm_Implied_Manage_Users", "Manage Users", "setup", "users_control", "Users and Control", false},
	{"Crm_Implied_Manage_Profiles", "Manage Profiles", "setup", "users_control", "Users and Control", false},
	{"Crm_Implied_Manage_Roles", "Manage Roles", "setup", "users_control", "Users and Control", false},
	{"Crm_Implied_Manage_Security", "Manage Security Control", "setup", "users_control", "Users and Control", false},
	{"Crm_Implied_Manage_Company_Details", "Manage Company Details", "setup", "general", "General", false},
	{"Crm_Implied_Manage_Customization", "Module Customization", "setup", "customization", "Customization", false},
	{"Crm_Implied_Manage_Templates", "Manage Templates", "setup", "customization", "Customization", false},
	{"Crm_Implied_Manage_Automation", "Manage Automation", "setup", "automation", "Automation", false},
	{"Crm_Implied_Manage_Data_Administration", "Data Administration", "setup", "data_administration", "Data Administration", false},
	{"Crm_Implied_Import", "Import", "tool", "import", "Import", true},
	{"Crm_Implied_Export", "Export", "tool", "export", "Export", false},
	{"Crm_Implied_Mass_Update", "Mass Update", "tool", "mass_actions", "Mass Actions", true},
	{"Crm_Implied_Mass_Delete", "Mass Delete", "tool", "mass_actions", "Mass Actions", false},
	{"Crm_Implied_Mass_Email", "Mass Email", "tool", "mass_actions", "Mass Actions", true},
	{"Crm_Implied_Change_Owner", "Change Owner", "tool", "mass_actions", "Mass Actions", true},
	{"Crm_Implied_Send_Email", "Send Email", "tool", "email", "Email", true},
	{"Crm_Implied_Zia", "Zia", "tool", "zia", "Zia", true},
	{"Crm_Implied_Share", "Share", "tool", "share", "Share", true},
	{"Crm_Implied_Reports", "Manage Reports", "tool", "reports", "Reports", true},
	{"Crm_Implied_Dashboards", "Manage Dashboards", "tool", "dashboards", "Dashboards", true},
	{PermAPIAccess, "Zoho CRM API Access", "developer", "developer_permissions", "Developer Permissions", false},
	{"Crm_Implied_Manage_Extensibility", "Manage Extensibility", "developer", "developer_permissions", "Developer Permissions", false},
	{"Crm_Implied_Manage_Sandbox", "Manage Sandbox", "developer", "developer_permissions", "Developer Permissions", false},
}

// Catalogue is the permission catalogue in a fixed order. New permissions are
// only ever appended, so a PermSet index never changes meaning.
var Catalogue = buildCatalogue()

// catalogueIndex maps a permission name to its index in Catalogue.
var catalogueIndex = func() map[string]int {
	m := make(map[string]int, len(Catalogue))
	for i, p := range Catalogue {
		m[p.Name] = i
	}
	return m
}()

func buildCatalogue() []PermissionDef {
	var c []PermissionDef
	for _, m := range Modules {
		for _, op := range []string{"View", "Create", "Edit", "Delete"} {
			c = append(c, PermissionDef{
				Name: "Crm_Implied_" + op + "_" + m, DisplayLabel: op, Module: m,
				Section: "modules", Category: m, CategoryName: m, Standard: op != "Delete",
			})
		}
	}
	for _, p := range nonModulePerms {
		c = append(c, PermissionDef{
			Name: p.name, DisplayLabel: p.label, Section: p.section,
			Category: p.category, CategoryName: p.categoryLabel, Standard: p.standard,
		})
	}
	return c
}

// PermissionIndex returns the catalogue index of a permission name.
func PermissionIndex(name string) (int, bool) {
	i, ok := catalogueIndex[name]
	return i, ok
}

// PermSet is a set of catalogue permissions, one bit per catalogue index.
type PermSet [2]uint64

// Has reports whether the named permission is in the set.
func (s *PermSet) Has(name string) bool {
	i, ok := catalogueIndex[name]
	return ok && s.HasIndex(i)
}

// HasIndex reports whether catalogue index i is in the set.
func (s *PermSet) HasIndex(i int) bool { return s[i>>6]&(1<<(i&63)) != 0 }

// Set adds or removes catalogue index i.
func (s *PermSet) Set(i int, on bool) {
	if on {
		s[i>>6] |= 1 << (i & 63)
	} else {
		s[i>>6] &^= 1 << (i & 63)
	}
}

// AllPermissions is the set holding the whole catalogue.
func AllPermissions() PermSet {
	var s PermSet
	for i := range Catalogue {
		s.Set(i, true)
	}
	return s
}

// StandardPermissions is the set of the built-in Standard profile: everyday
// module work, no setup rights and, as a careful administrator wants, no
// API access.
func StandardPermissions() PermSet {
	var s PermSet
	for i, p := range Catalogue {
		s.Set(i, p.Standard)
	}
	return s
}

// Permission is a catalogue entry with its per-org ID.
type Permission struct {
	ID    ID
	OrgID ID
	Index int // catalogue index
}
