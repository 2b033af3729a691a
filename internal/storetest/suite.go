package storetest

import (
	"testing"

	"github.com/crmguard/crmguard"
)

// test is one subtest: it gets a fresh, empty, migrated store.
type test struct {
	name string
	fn   func(t *testing.T, s crmguard.Store)
}

// area groups the subtests of one part of the interface.
type area struct {
	name  string
	tests []test
}

// areas lists every group of the suite, in the order Store declares them.
func areas() []area {
	return []area{
		{"Orgs", orgTests},
		{"OrgPhoto", orgPhotoTests},
		{"Permissions", permissionTests},
		{"Profiles", profileTests},
		{"Roles", roleTests},
		{"Territories", territoryTests},
		{"UserGroups", userGroupTests},
		{"Users", userTests},
		{"UserQueries", userQueryTests},
		{"Fields", fieldTests},
		{"Clients", clientTests},
		{"Grants", grantTests},
		{"RefreshTokens", refreshTests},
		{"AccessTokens", accessTests},
		{"TokenListing", tokenListTests},
		{"TransferJobs", transferTests},
		{"IPRules", ipRuleTests},
		{"Sessions", sessionTests},
		{"Audit", auditTests},
		{"Tx", txTests},
		{"Installation", installTests},
		{"UnicodeCase", unicodeTests},
	}
}

// Run runs the suite. open returns a fresh, empty, migrated store for each
// subtest and closes it with t.Cleanup; it is called from parallel
// subtests, so it must be safe for that.
func Run(t *testing.T, open func(t *testing.T) crmguard.Store) {
	t.Helper()
	for _, a := range areas() {
		t.Run(a.name, func(t *testing.T) {
			for _, c := range a.tests {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.fn(t, open(t))
				})
			}
		})
	}
}
