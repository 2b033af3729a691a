package access_test

import (
	"net/netip"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

func TestCompileScopes(t *testing.T) {
	cases := []struct {
		scopes  string
		covers  []access.RouteScope
		notCovs []access.RouteScope
	}{
		{"ZohoCRM.users.READ", []access.RouteScope{access.ScopeUsersRead}, []access.RouteScope{access.ScopeUsersCreate, access.ScopeOrgRead}},
		{"zohocrm.USERS.all", []access.RouteScope{access.ScopeUsersRead, access.ScopeUsersCreate, access.ScopeUsersUpdate, access.ScopeUsersDelete}, []access.RouteScope{access.ScopeOrgRead}},
		{"ZohoCRM.users.WRITE", []access.RouteScope{access.ScopeUsersCreate, access.ScopeUsersUpdate, access.ScopeUsersDelete}, []access.RouteScope{access.ScopeUsersRead}},
		{"ZohoCRM.settings.ALL", []access.RouteScope{access.ScopeProfilesRead, access.ScopeRolesDelete, access.ScopeFieldsRead}, []access.RouteScope{access.ScopeUsersRead, access.ScopeOrgRead}},
		{"ZohoCRM.settings.profiles.READ, ZohoCRM.org.ALL", []access.RouteScope{access.ScopeProfilesRead, access.ScopeOrgRead}, []access.RouteScope{access.ScopeProfilesUpdate, access.ScopeRolesRead}},
		{"ZohoCRM.org.READ ZohoCRM.users.CREATE", []access.RouteScope{access.ScopeOrgRead, access.ScopeUsersCreate}, nil},
		{"ZohoCRM.modules.ALL,AaaServer.profile.READ,ZohoCRM.users", nil, []access.RouteScope{access.ScopeUsersRead, access.ScopeOrgRead}},
		{"", nil, []access.RouteScope{access.ScopeUsersRead}},
	}
	for _, c := range cases {
		m := access.CompileScopes(c.scopes)
		for _, s := range c.covers {
			if !m.Covers(s) {
				t.Errorf("%q should cover %s", c.scopes, s)
			}
		}
		for _, s := range c.notCovs {
			if m.Covers(s) {
				t.Errorf("%q should not cover %s", c.scopes, s)
			}
		}
	}
	if !access.KnownScope("AaaServer.profile.READ") || access.KnownScope("ZohoCRM.nothing.ALL") {
		t.Error("KnownScope")
	}
}

func TestRestrictionFor(t *testing.T) {
	rule := func(applies string, target crmguard.ID, cidr string) *crmguard.IPRule {
		return &crmguard.IPRule{AppliesTo: applies, TargetID: target, Prefix: netip.MustParsePrefix(cidr)}
	}
	const user, role, profile = 1, 2, 3
	rules := []*crmguard.IPRule{
		rule(crmguard.IPRuleRole, 99, "10.0.0.0/8"),           // another role: does not bind
		rule(crmguard.IPRuleProfile, profile, "192.0.2.0/24"), // binds
		rule(crmguard.IPRuleUser, user, "2001:db8::/32"),      // binds
	}
	r := access.RestrictionFor(rules, user, role, profile)
	for addr, want := range map[string]bool{
		"192.0.2.10": true, "::ffff:192.0.2.10": true, "2001:db8::1": true, "10.1.1.1": false, "127.0.0.1": false,
	} {
		a := netip.MustParseAddr(addr)
		if got := r.Allows(a); got != want {
			t.Errorf("Allows(%s) = %v, want %v", addr, got, want)
		}
	}
	free := access.RestrictionFor(rules[:1], user, role, profile)
	if free.Restricted || !free.Allows(netip.MustParseAddr("127.0.0.1")) {
		t.Error("a user no rule applies to may call from anywhere")
	}
}

func TestEditionLimits(t *testing.T) {
	cases := []struct {
		edition string
		users   int
		want    access.Limits
	}{
		{crmguard.EditionFree, 3, access.Limits{Credits: 5000, Concurrency: 5}},
		{crmguard.EditionStandard, 10, access.Limits{Credits: 52_500, Concurrency: 10}},
		{crmguard.EditionStandard, 1000, access.Limits{Credits: 100_000, Concurrency: 10}},
		{crmguard.EditionProfessional, 10, access.Limits{Credits: 55_000, Concurrency: 15}},
		{crmguard.EditionEnterprise, 10, access.Limits{Credits: 60_000, Concurrency: 20}},
		{crmguard.EditionUltimate, 10, access.Limits{Credits: 70_000, Concurrency: 25}},
		{"unknown", 10, access.Limits{Credits: 60_000, Concurrency: 20}},
	}
	for _, c := range cases {
		if got := access.EditionLimits(c.edition, c.users); got != c.want {
			t.Errorf("EditionLimits(%s, %d) = %+v, want %+v", c.edition, c.users, got, c.want)
		}
	}
}

func TestRoleTree(t *testing.T) {
	r := func(id, parent crmguard.ID) *crmguard.Role { return &crmguard.Role{ID: id, ReportingTo: parent} }
	tree := access.NewRoleTree([]*crmguard.Role{r(1, 0), r(2, 1), r(3, 2), r(4, 1), r(8, 9), r(9, 8)})
	for _, c := range []struct {
		id, anc crmguard.ID
		want    bool
	}{{3, 1, true}, {3, 2, true}, {3, 3, true}, {2, 3, false}, {4, 2, false}, {1, 4, false}, {8, 1, false}, {5, 1, false}} {
		if got := tree.Under(c.id, c.anc); got != c.want {
			t.Errorf("Under(%d, %d) = %v", c.id, c.anc, got)
		}
	}
	if !tree.Has(4) || tree.Has(5) {
		t.Error("Has")
	}
}
