package access_test

import (
	"testing"

	"github.com/crmguard/crmguard/internal/access"
)

// TestAccountsAndNewSettingsScopes: Zoho Accounts' profile scope is its own
// (no CRM scope covers it, and it covers no CRM route); territories and
// user groups are settings resources, covered by ZohoCRM.settings.ALL.
func TestAccountsAndNewSettingsScopes(t *testing.T) {
	cases := []struct {
		scopes string
		route  access.RouteScope
		want   bool
	}{
		{"AaaServer.profile.READ", access.ScopeAccountsProfileRead, true},
		{"aaaserver.profile.read", access.ScopeAccountsProfileRead, true},
		{"ZohoCRM.users.ALL,ZohoCRM.settings.ALL,ZohoCRM.org.ALL", access.ScopeAccountsProfileRead, false},
		{"AaaServer.profile.READ", access.ScopeUsersRead, false},
		{"ZohoCRM.settings.ALL", access.ScopeTerritoriesDelete, true},
		{"ZohoCRM.settings.territories.READ", access.ScopeTerritoriesRead, true},
		{"ZohoCRM.settings.territories.READ", access.ScopeTerritoriesUpdate, false},
		{"ZohoCRM.settings.user_groups.WRITE", access.ScopeUserGroupsCreate, true},
		{"ZohoCRM.settings.user_groups.WRITE", access.ScopeUserGroupsRead, false},
		{"ZohoCRM.org.ALL", access.ScopeOrgDelete, true},
	}
	for _, c := range cases {
		if got := access.CompileScopes(c.scopes).Covers(c.route); got != c.want {
			t.Errorf("%q covers %s: %v, want %v", c.scopes, c.route, got, c.want)
		}
	}
	if got := access.ScopeAccountsProfileRead.String(); got != "AaaServer.profile.READ" {
		t.Errorf("name %q", got)
	}
	if !access.KnownScope("AaaServer.profile.READ") || access.KnownScope("AaaServer.other.READ") {
		t.Error("KnownScope")
	}
}
