package crmguard

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// catalogueGolden is every permission's index as stored data holds it:
// profiles keep the bits, every org's permissions table keeps the idx, and
// the API shows the permission ID behind each idx. A line that changes here
// changes what existing databases mean, so this list is only ever extended.
const catalogueGolden = `
0 Crm_Implied_View_Leads
1 Crm_Implied_Create_Leads
2 Crm_Implied_Edit_Leads
3 Crm_Implied_Delete_Leads
4 Crm_Implied_View_Contacts
5 Crm_Implied_Create_Contacts
6 Crm_Implied_Edit_Contacts
7 Crm_Implied_Delete_Contacts
8 Crm_Implied_View_Accounts
9 Crm_Implied_Create_Accounts
10 Crm_Implied_Edit_Accounts
11 Crm_Implied_Delete_Accounts
12 Crm_Implied_View_Deals
13 Crm_Implied_Create_Deals
14 Crm_Implied_Edit_Deals
15 Crm_Implied_Delete_Deals
16 Crm_Implied_View_Tasks
17 Crm_Implied_Create_Tasks
18 Crm_Implied_Edit_Tasks
19 Crm_Implied_Delete_Tasks
20 Crm_Implied_View_Events
21 Crm_Implied_Create_Events
22 Crm_Implied_Edit_Events
23 Crm_Implied_Delete_Events
24 Crm_Implied_View_Calls
25 Crm_Implied_Create_Calls
26 Crm_Implied_Edit_Calls
27 Crm_Implied_Delete_Calls
28 Crm_Implied_View_Products
29 Crm_Implied_Create_Products
30 Crm_Implied_Edit_Products
31 Crm_Implied_Delete_Products
32 Crm_Implied_View_Quotes
33 Crm_Implied_Create_Quotes
34 Crm_Implied_Edit_Quotes
35 Crm_Implied_Delete_Quotes
36 Crm_Implied_View_Vendors
37 Crm_Implied_Create_Vendors
38 Crm_Implied_Edit_Vendors
39 Crm_Implied_Delete_Vendors
40 Crm_Implied_View_Campaigns
41 Crm_Implied_Create_Campaigns
42 Crm_Implied_Edit_Campaigns
43 Crm_Implied_Delete_Campaigns
44 Crm_Implied_View_Cases
45 Crm_Implied_Create_Cases
46 Crm_Implied_Edit_Cases
47 Crm_Implied_Delete_Cases
48 Crm_Implied_View_Solutions
49 Crm_Implied_Create_Solutions
50 Crm_Implied_Edit_Solutions
51 Crm_Implied_Delete_Solutions
52 Crm_Implied_View_Price_Books
53 Crm_Implied_Create_Price_Books
54 Crm_Implied_Edit_Price_Books
55 Crm_Implied_Delete_Price_Books
56 Crm_Implied_View_Sales_Orders
57 Crm_Implied_Create_Sales_Orders
58 Crm_Implied_Edit_Sales_Orders
59 Crm_Implied_Delete_Sales_Orders
60 Crm_Implied_View_Purchase_Orders
61 Crm_Implied_Create_Purchase_Orders
62 Crm_Implied_Edit_Purchase_Orders
63 Crm_Implied_Delete_Purchase_Orders
64 Crm_Implied_View_Invoices
65 Crm_Implied_Create_Invoices
66 Crm_Implied_Edit_Invoices
67 Crm_Implied_Delete_Invoices
68 Crm_Implied_Manage_Users
69 Crm_Implied_Manage_Profiles
70 Crm_Implied_Manage_Roles
71 Crm_Implied_Manage_Security
72 Crm_Implied_Manage_Company_Details
73 Crm_Implied_Manage_Customization
74 Crm_Implied_Manage_Templates
75 Crm_Implied_Manage_Automation
76 Crm_Implied_Manage_Data_Administration
77 Crm_Implied_Import
78 Crm_Implied_Export
79 Crm_Implied_Mass_Update
80 Crm_Implied_Mass_Delete
81 Crm_Implied_Mass_Email
82 Crm_Implied_Change_Owner
83 Crm_Implied_Send_Email
84 Crm_Implied_Zia
85 Crm_Implied_Share
86 Crm_Implied_Reports
87 Crm_Implied_Dashboards
88 Crm_Implied_Api_Access
89 Crm_Implied_Manage_Extensibility
90 Crm_Implied_Manage_Sandbox
`

func TestCatalogueIndexesAreStable(t *testing.T) {
	var got strings.Builder
	got.WriteString("\n")
	for i, p := range Catalogue {
		if p.Index != i {
			t.Errorf("Catalogue[%d] is %s with index %d", i, p.Name, p.Index)
		}
		if j, ok := PermissionIndex(p.Name); !ok || j != p.Index {
			t.Errorf("PermissionIndex(%s) = %d, %v; want %d", p.Name, j, ok, p.Index)
		}
		fmt.Fprintf(&got, "%d %s\n", p.Index, p.Name)
	}
	want := strings.Split(catalogueGolden, "\n")
	have := strings.Split(got.String(), "\n")
	for i := range min(len(want), len(have)) {
		if want[i] != have[i] {
			t.Errorf("line %d: catalogue has %q, stored data expects %q", i, have[i], want[i])
		}
	}
	if len(have) < len(want) {
		t.Errorf("catalogue lost permissions: %d lines, want at least %d", len(have), len(want))
	}
	if len(have) > len(want) {
		t.Errorf("catalogue has new permissions after %q: add their lines to catalogueGolden", want[len(want)-1])
	}
}

// TestCatalogueAppendOnly: a new module's permissions keep every existing
// index where it is, and a table that would move or reuse one is refused.
// (A table renumbered wholesale to make room passes newCatalogue; the
// golden list above is what refuses that.)
func TestCatalogueAppendOnly(t *testing.T) {
	next := len(catalogueTable)
	added := []PermissionDef{mod(next, "View", "Territories"), mod(next+1, "Create", "Territories"),
		mod(next+2, "Edit", "Territories"), mod(next+3, "Delete", "Territories")}

	grown, err := newCatalogue(append(append([]PermissionDef{}, catalogueTable...), added...))
	if err != nil {
		t.Fatalf("appending a module: %v", err)
	}
	for _, p := range Catalogue {
		if grown[p.Index].Name != p.Name {
			t.Errorf("index %d: %s became %s", p.Index, p.Name, grown[p.Index].Name)
		}
	}
	api, _ := PermissionIndex(PermAPIAccess)
	if grown[api].Name != PermAPIAccess {
		t.Errorf("API access moved from index %d", api)
	}

	// Inserted after the other modules, as listing order would suggest.
	invoices := slices.IndexFunc(catalogueTable, func(p PermissionDef) bool { return p.Name == "Crm_Implied_Delete_Invoices" }) + 1
	inserted := append(append(append([]PermissionDef{}, catalogueTable[:invoices]...), added...), catalogueTable[invoices:]...)
	if _, err := newCatalogue(inserted); err == nil {
		t.Error("a module inserted in the middle was accepted")
	}
	// A new permission given an index already in use.
	reused := append(append([]PermissionDef{}, catalogueTable...), perm(api, "Crm_Implied_Manage_Territories", "Manage Territories", "setup", "users_control", "Users and Control", false))
	if _, err := newCatalogue(reused); err == nil || !strings.Contains(err.Error(), PermAPIAccess) {
		t.Errorf("a reused index: %v", err)
	}
	// The same permission twice, once at a new index.
	twice := append(append([]PermissionDef{}, catalogueTable...), perm(next, PermAPIAccess, "Zoho CRM API Access", "developer", "developer_permissions", "Developer Permissions", false))
	if _, err := newCatalogue(twice); err == nil {
		t.Error("a permission listed twice was accepted")
	}
	// More than a PermSet holds.
	var big []PermissionDef
	for i := range 129 {
		big = append(big, perm(i, fmt.Sprintf("P%d", i), "", "", "", "", false))
	}
	if _, err := newCatalogue(big); err == nil {
		t.Error("129 permissions were accepted")
	}
}
