package crmguard

import (
	"fmt"
	"slices"
)

// Permission names the enforcement code refers to.
const (
	PermAPIAccess      = "Crm_Implied_Api_Access"
	PermManageUsers    = "Crm_Implied_Manage_Users"
	PermManageProfiles = "Crm_Implied_Manage_Profiles"
	PermManageRoles    = "Crm_Implied_Manage_Roles"
	PermManageSecurity = "Crm_Implied_Manage_Security"
)

// PermissionDef is one entry of the permission catalogue that every profile
// of every org holds.
type PermissionDef struct {
	// Index is the permission's bit in a PermSet and the idx of its row in
	// every org's permissions table, so it is written into stored profiles
	// and behind every permission ID the API shows. It never changes.
	Index        int
	Name         string
	DisplayLabel string
	Module       string // empty for non-module permissions
	Section      string // name of the profile section it is listed under
	Category     string // name of the category within that section
	CategoryName string // display label of the category
	// Standard says whether the built-in Standard profile has it enabled.
	Standard bool
}

// catalogueTable is every permission with its index written out. Stored
// data holds these numbers, so an index is never changed or reused: a new
// permission (or a new module's four) takes the next index at the end of
// the table, and a withdrawn one keeps its row. newCatalogue refuses a
// table that breaks this, and a test lists every index.
var catalogueTable = []PermissionDef{
	mod(0, "View", "Leads"), mod(1, "Create", "Leads"), mod(2, "Edit", "Leads"), mod(3, "Delete", "Leads"),
	mod(4, "View", "Contacts"), mod(5, "Create", "Contacts"), mod(6, "Edit", "Contacts"), mod(7, "Delete", "Contacts"),
	mod(8, "View", "Accounts"), mod(9, "Create", "Accounts"), mod(10, "Edit", "Accounts"), mod(11, "Delete", "Accounts"),
	mod(12, "View", "Deals"), mod(13, "Create", "Deals"), mod(14, "Edit", "Deals"), mod(15, "Delete", "Deals"),
	mod(16, "View", "Tasks"), mod(17, "Create", "Tasks"), mod(18, "Edit", "Tasks"), mod(19, "Delete", "Tasks"),
	mod(20, "View", "Events"), mod(21, "Create", "Events"), mod(22, "Edit", "Events"), mod(23, "Delete", "Events"),
	mod(24, "View", "Calls"), mod(25, "Create", "Calls"), mod(26, "Edit", "Calls"), mod(27, "Delete", "Calls"),
	mod(28, "View", "Products"), mod(29, "Create", "Products"), mod(30, "Edit", "Products"), mod(31, "Delete", "Products"),
	mod(32, "View", "Quotes"), mod(33, "Create", "Quotes"), mod(34, "Edit", "Quotes"), mod(35, "Delete", "Quotes"),
	mod(36, "View", "Vendors"), mod(37, "Create", "Vendors"), mod(38, "Edit", "Vendors"), mod(39, "Delete", "Vendors"),
	mod(40, "View", "Campaigns"), mod(41, "Create", "Campaigns"), mod(42, "Edit", "Campaigns"), mod(43, "Delete", "Campaigns"),
	mod(44, "View", "Cases"), mod(45, "Create", "Cases"), mod(46, "Edit", "Cases"), mod(47, "Delete", "Cases"),
	mod(48, "View", "Solutions"), mod(49, "Create", "Solutions"), mod(50, "Edit", "Solutions"), mod(51, "Delete", "Solutions"),
	mod(52, "View", "Price_Books"), mod(53, "Create", "Price_Books"), mod(54, "Edit", "Price_Books"), mod(55, "Delete", "Price_Books"),
	mod(56, "View", "Sales_Orders"), mod(57, "Create", "Sales_Orders"), mod(58, "Edit", "Sales_Orders"), mod(59, "Delete", "Sales_Orders"),
	mod(60, "View", "Purchase_Orders"), mod(61, "Create", "Purchase_Orders"), mod(62, "Edit", "Purchase_Orders"), mod(63, "Delete", "Purchase_Orders"),
	mod(64, "View", "Invoices"), mod(65, "Create", "Invoices"), mod(66, "Edit", "Invoices"), mod(67, "Delete", "Invoices"),
	perm(68, PermManageUsers, "Manage Users", "setup", "users_control", "Users and Control", false),
	perm(69, PermManageProfiles, "Manage Profiles", "setup", "users_control", "Users and Control", false),
	perm(70, PermManageRoles, "Manage Roles", "setup", "users_control", "Users and Control", false),
	perm(71, PermManageSecurity, "Manage Security Control", "setup", "users_control", "Users and Control", false),
	perm(72, "Crm_Implied_Manage_Company_Details", "Manage Company Details", "setup", "general", "General", false),
	perm(73, "Crm_Implied_Manage_Customization", "Module Customization", "setup", "customization", "Customization", false),
	perm(74, "Crm_Implied_Manage_Templates", "Manage Templates", "setup", "customization", "Customization", false),
	perm(75, "Crm_Implied_Manage_Automation", "Manage Automation", "setup", "automation", "Automation", false),
	perm(76, "Crm_Implied_Manage_Data_Administration", "Data Administration", "setup", "data_administration", "Data Administration", false),
	perm(77, "Crm_Implied_Import", "Import", "tool", "import", "Import", true),
	perm(78, "Crm_Implied_Export", "Export", "tool", "export", "Export", false),
	perm(79, "Crm_Implied_Mass_Update", "Mass Update", "tool", "mass_actions", "Mass Actions", true),
	perm(80, "Crm_Implied_Mass_Delete", "Mass Delete", "tool", "mass_actions", "Mass Actions", false),
	perm(81, "Crm_Implied_Mass_Email", "Mass Email", "tool", "mass_actions", "Mass Actions", true),
	perm(82, "Crm_Implied_Change_Owner", "Change Owner", "tool", "mass_actions", "Mass Actions", true),
	perm(83, "Crm_Implied_Send_Email", "Send Email", "tool", "email", "Email", true),
	perm(84, "Crm_Implied_Zia", "Zia", "tool", "zia", "Zia", true),
	perm(85, "Crm_Implied_Share", "Share", "tool", "share", "Share", true),
	perm(86, "Crm_Implied_Reports", "Manage Reports", "tool", "reports", "Reports", true),
	perm(87, "Crm_Implied_Dashboards", "Manage Dashboards", "tool", "dashboards", "Dashboards", true),
	perm(88, PermAPIAccess, "Zoho CRM API Access", "developer", "developer_permissions", "Developer Permissions", false),
	perm(89, "Crm_Implied_Manage_Extensibility", "Manage Extensibility", "developer", "developer_permissions", "Developer Permissions", false),
	perm(90, "Crm_Implied_Manage_Sandbox", "Manage Sandbox", "developer", "developer_permissions", "Developer Permissions", false),
}

// mod is a module permission; the Standard profile may do everything with
// a module's records except delete them.
func mod(index int, op, module string) PermissionDef {
	return PermissionDef{Index: index, Name: "Crm_Implied_" + op + "_" + module, DisplayLabel: op, Module: module,
		Section: "modules", Category: module, CategoryName: module, Standard: op != "Delete"}
}

// perm is a permission outside the modules.
func perm(index int, name, label, section, category, categoryLabel string, standard bool) PermissionDef {
	return PermissionDef{Index: index, Name: name, DisplayLabel: label, Section: section,
		Category: category, CategoryName: categoryLabel, Standard: standard}
}

// Catalogue is the permission catalogue in index order: Catalogue[i].Index
// is i, so code may range over it and use the position as the index.
var Catalogue = mustCatalogue(catalogueTable)

// Modules whose View/Create/Edit/Delete permissions are in the catalogue,
// in catalogue order.
var Modules = func() []string {
	var ms []string
	for _, p := range Catalogue {
		if p.Module != "" && (len(ms) == 0 || ms[len(ms)-1] != p.Module) {
			ms = append(ms, p.Module)
		}
	}
	return ms
}()

// catalogueIndex maps a permission name to its index.
var catalogueIndex = func() map[string]int {
	m := make(map[string]int, len(Catalogue))
	for _, p := range Catalogue {
		m[p.Name] = p.Index
	}
	return m
}()

// newCatalogue checks a catalogue table. Each index must be new (a reused
// index would make stored bits mean another permission) and equal to the
// entry's position: an entry added anywhere but at the end would either
// carry an index out of sequence or push the entries after it off theirs.
// A PermSet holds 128 bits, so that is the most there can be.
func newCatalogue(defs []PermissionDef) ([]PermissionDef, error) {
	if len(defs) > len(PermSet{})*64 {
		return nil, fmt.Errorf("permission catalogue: %d permissions, a PermSet holds %d", len(defs), len(PermSet{})*64)
	}
	byIndex := make(map[int]string, len(defs))
	byName := make(map[string]int, len(defs))
	for pos, d := range defs {
		if d.Name == "" {
			return nil, fmt.Errorf("permission catalogue: entry %d has no name", pos)
		}
		if other, ok := byIndex[d.Index]; ok {
			return nil, fmt.Errorf("permission catalogue: index %d given to %s is %s's", d.Index, d.Name, other)
		}
		if i, ok := byName[d.Name]; ok {
			return nil, fmt.Errorf("permission catalogue: %s listed twice (indexes %d and %d)", d.Name, i, d.Index)
		}
		if d.Index != pos {
			return nil, fmt.Errorf("permission catalogue: %s has index %d at position %d; new permissions go at the end with the next index", d.Name, d.Index, pos)
		}
		byIndex[d.Index], byName[d.Name] = d.Name, d.Index
	}
	return slices.Clone(defs), nil
}

func mustCatalogue(defs []PermissionDef) []PermissionDef {
	c, err := newCatalogue(defs)
	if err != nil {
		panic(err)
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
