package storetest

import (
	"net/netip"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var ipRuleTests = []test{
	{"RoundTripAndDelete", testIPRules},
}

func ipRuleID(r *crmguard.IPRule) crmguard.ID { return r.ID }

func testIPRules(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	rules := []*crmguard.IPRule{
		{ID: f.ids.New(), OrgID: f.org.ID, Name: "everyone", Prefix: netip.MustParsePrefix("203.0.113.0/24"),
			AppliesTo: crmguard.IPRuleAll, CreatedBy: f.user.ID, CreatedTime: f.now},
		{ID: f.ids.New(), OrgID: f.org.ID, Name: "office v6", Prefix: netip.MustParsePrefix("2001:db8::/32"),
			AppliesTo: crmguard.IPRuleProfile, TargetID: f.profile.ID, CreatedTime: f.at(time.Second)},
		{ID: f.ids.New(), OrgID: f.org.ID, Name: "one host", Prefix: netip.MustParsePrefix("198.51.100.7/32"),
			AppliesTo: crmguard.IPRuleUser, TargetID: f.user.ID, CreatedTime: f.at(2 * time.Second)},
		{ID: f.ids.New(), OrgID: f.org.ID, Name: "", Prefix: netip.MustParsePrefix("10.0.0.0/8"),
			AppliesTo: crmguard.IPRuleRole, TargetID: f.role.ID, CreatedTime: f.at(3 * time.Second)},
	}
	for _, r := range rules {
		must(t, s.CreateIPRule(f.ctx, r), "CreateIPRule "+r.Prefix.String())
	}
	other := f.addTenant("Other", "o@other.test")
	theirs := &crmguard.IPRule{ID: f.ids.New(), OrgID: other.org.ID, Prefix: netip.MustParsePrefix("0.0.0.0/0"),
		AppliesTo: crmguard.IPRuleAll, CreatedTime: f.now}
	must(t, s.CreateIPRule(f.ctx, theirs), "CreateIPRule in another org")
	for _, r := range rules {
		got, err := s.GetIPRule(f.ctx, f.org.ID, r.ID)
		must(t, err, "GetIPRule")
		same(t, "IP rule read back", got, r)
	}
	list, err := s.ListIPRules(f.ctx, f.org.ID)
	must(t, err, "ListIPRules")
	same(t, "ListIPRules", byID(list, ipRuleID), rules)
	_, err = s.GetIPRule(f.ctx, other.org.ID, rules[0].ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetIPRule through another org")
	wantErr(t, s.CreateIPRule(f.ctx, rules[0]), crmguard.ErrConflict, "CreateIPRule with a used ID")

	wantErr(t, s.DeleteIPRule(f.ctx, other.org.ID, rules[1].ID), crmguard.ErrNotFound, "DeleteIPRule through another org")
	must(t, s.DeleteIPRule(f.ctx, f.org.ID, rules[1].ID), "DeleteIPRule")
	_, err = s.GetIPRule(f.ctx, f.org.ID, rules[1].ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetIPRule after the delete")
	wantErr(t, s.DeleteIPRule(f.ctx, f.org.ID, rules[1].ID), crmguard.ErrNotFound, "second DeleteIPRule")
	list, err = s.ListIPRules(f.ctx, f.org.ID)
	must(t, err, "ListIPRules")
	same(t, "ListIPRules after the delete", byID(list, ipRuleID), []*crmguard.IPRule{rules[0], rules[2], rules[3]})
}
