package console

import "github.com/crmguard/crmguard"

// data is what every page's layout reads.
type data struct {
	Title, Nav, CSRF, Error, Flash, Email string
	User                                  *crmguard.User
	Admin                                 bool
	Forced                                bool
	Profile                               *crmguard.Profile
	APIAccess                             bool
	ReadOnly                              bool
	Profiles                              []profileRow
	Sections                              []section

	// Users pages.
	Types       []string
	Type, Query string
	Count, Page int
	Pages       int // of the list, when Count is known
	Users       []userRow
	Prev, Next  string
	Target      *userRow
	Roles       []*crmguard.Role
	ProfileList []*crmguard.Profile
	Actions     []userAction
	InviteURL   string
	Form        map[string]string

	// Security Control and audit pages.
	Tab        string
	RoleRows   []roleRow
	GroupRows  []groupRow
	UserGroups []string
	// Territories page and the user page.
	TerritoryRows   []territoryRow
	UserTerritories []string
	Rules           []ruleRow
	Events          []eventRow
	CSVLink         string
	Compare         *comparison

	// Who has API access.
	ReportProfiles []reportProfile
	ReportUsers    []reportUser

	// API console.
	Clients []*crmguard.Client
	Tokens  []tokenRow
	Secret  map[string]string
}

// base fills the layout's data for a signed-in request.
func (r *request) base(title, nav string) data {
	return data{Title: title, Nav: nav, CSRF: csrfToken(r.session), User: r.user, Admin: isAdmin(r.profile)}
}
