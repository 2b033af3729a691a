package cluster_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

// TestLicenceCountAcrossInstances: with 10 licences left, 50 concurrent
// adds split between two instances let exactly 10 users in; the other 40
// get Zoho's licence error, and the database holds exactly 10 new users.
func TestLicenceCountAcrossInstances(t *testing.T) {
	c := newCluster(t, service.Config{})
	org := c.a.Org.ID
	before, err := c.a.Store.CountUsers(c.ctx, org, crmguard.UserActive)
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.a.Store.ListUsers(c.ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	c.setLicences(t, before+10)
	role, profile := c.roleID(t, "Sales Rep"), c.profileID(t, "Standard")
	const n = 50
	answers := make([]answer, n)
	together(n, func(i int) {
		body := fmt.Sprintf(`{"users":[{"last_name":"Racer %d","email":"racer%d@example.com","role":"%s","profile":"%s"}]}`, i, i, role, profile)
		answers[i] = call(c.on(i), "POST", "/crm/v8/users", c.admin, body)
	})
	ids := expectOutcomes(t, answers, "users", 201, 10, "LICENSE_LIMIT_EXCEEDED")

	after, err := c.a.Store.CountUsers(c.ctx, org, crmguard.UserActive)
	if err != nil {
		t.Fatal(err)
	}
	if after != before+10 {
		t.Errorf("active users: %d, want %d (%d before, 10 licences left)", after, before+10, before)
	}
	now, err := c.a.Store.ListUsers(c.ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	racers := 0
	for _, u := range now {
		if strings.HasPrefix(u.Email, "racer") {
			racers++
		}
	}
	if racers != 10 || len(now) != len(all)+10 {
		t.Errorf("database: %d racers, %d users (was %d), want 10 and %d", racers, len(now), len(all), len(all)+10)
	}
	for _, id := range ids {
		uid, ok := crmguard.ParseID(id)
		if !ok {
			t.Fatalf("id %q", id)
		}
		if _, err := c.a.Store.GetUser(c.ctx, org, uid); err != nil {
			t.Errorf("user %s answered as added: %v", id, err)
		}
	}
}

// TestProfileLimitAcrossInstances: concurrent clones split between two
// instances never take the org past 25 profiles; exactly 25 - existing
// succeed.
func TestProfileLimitAcrossInstances(t *testing.T) {
	c := newCluster(t, service.Config{})
	org := c.a.Org.ID
	existing, err := c.a.Store.ListProfiles(c.ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 25 // service.Config.MaxProfiles' default, Zoho's
	if len(existing) >= limit {
		t.Fatalf("the demo org has %d profiles already", len(existing))
	}
	src := c.profileID(t, "Standard")
	const n = 40
	answers := make([]answer, n)
	together(n, func(i int) {
		answers[i] = call(c.on(i), "POST", fmt.Sprintf("/crm/v8/settings/profiles/%s/actions/clone", src), c.admin,
			fmt.Sprintf(`{"profiles":[{"name":"Clone %d"}]}`, i))
	})
	expectOutcomes(t, answers, "profiles", 201, limit-len(existing), "PROFILE_LIMIT_EXCEEDED")
	now, err := c.a.Store.ListProfiles(c.ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	if len(now) != limit {
		t.Errorf("database: %d profiles, want %d", len(now), limit)
	}
}

// TestUniqueNamesAcrossInstances: the same e-mail, role name or profile
// name created concurrently on both instances is created once.
func TestUniqueNamesAcrossInstances(t *testing.T) {
	c := newCluster(t, service.Config{})
	org := c.a.Org.ID
	role, profile, ceo := c.roleID(t, "Sales Rep"), c.profileID(t, "Standard"), c.roleID(t, "CEO")
	const n = 30
	cases := []struct {
		name, path, key, body string
		status                int
		count                 func() int
	}{
		{"user e-mail", "/crm/v8/users", "users",
			fmt.Sprintf(`{"users":[{"last_name":"Twin","email":"twin@example.com","role":"%s","profile":"%s"}]}`, role, profile), 201,
			func() int {
				us, err := c.a.Store.ListUsers(c.ctx, org)
				if err != nil {
					t.Fatal(err)
				}
				k := 0
				for _, u := range us {
					if strings.EqualFold(u.Email, "twin@example.com") {
						k++
					}
				}
				return k
			}},
		{"role name", "/crm/v8/settings/roles", "roles",
			fmt.Sprintf(`{"roles":[{"name":"Twin Role","reporting_to":"%s"}]}`, ceo), 201,
			func() int {
				rs, err := c.a.Store.ListRoles(c.ctx, org)
				if err != nil {
					t.Fatal(err)
				}
				k := 0
				for _, r := range rs {
					if strings.EqualFold(r.Name, "Twin Role") {
						k++
					}
				}
				return k
			}},
		{"profile name", fmt.Sprintf("/crm/v8/settings/profiles/%s/actions/clone", profile), "profiles",
			`{"profiles":[{"name":"Twin Profile"}]}`, 201,
			func() int {
				ps, err := c.a.Store.ListProfiles(c.ctx, org)
				if err != nil {
					t.Fatal(err)
				}
				k := 0
				for _, p := range ps {
					if strings.EqualFold(p.Name, "Twin Profile") {
						k++
					}
				}
				return k
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			answers := make([]answer, n)
			together(n, func(i int) { answers[i] = call(c.on(i), "POST", tc.path, c.admin, tc.body) })
			expectOutcomes(t, answers, tc.key, tc.status, 1, "DUPLICATE_DATA")
			if k := tc.count(); k != 1 {
				t.Errorf("database: %d with that name, want 1", k)
			}
		})
	}
}

// TestRoleCyclesAcrossInstances: A reports to B through one instance while
// B reports to A through the other, round after round. Each move is fine
// alone; together they would make a cycle. At most one may win a round,
// and the stored roles never hold a cycle.
func TestRoleCyclesAcrossInstances(t *testing.T) {
	c := newCluster(t, service.Config{})
	org := c.a.Org.ID
	ceo := c.roleID(t, "CEO")
	add := func(name string) crmguard.ID {
		a := call(c.a, "POST", "/crm/v8/settings/roles", c.admin, fmt.Sprintf(`{"roles":[{"name":"%s","reporting_to":"%s"}]}`, name, ceo))
		o, ok := firstOutcome(a, "roles")
		id, _ := o.Details["id"].(string)
		rid, good := crmguard.ParseID(id)
		if !ok || a.status != 201 || !good {
			t.Fatalf("add role %s: %s", name, a)
		}
		return rid
	}
	ra, rb := add("Cycle A"), add("Cycle B")
	move := func(env int, role, to crmguard.ID) answer {
		return call(c.on(env), "PUT", fmt.Sprintf("/crm/v8/settings/roles/%s", role), c.admin, fmt.Sprintf(`{"roles":[{"reporting_to":"%s"}]}`, to))
	}
	const rounds, perSide = 40, 4
	wins := map[string]int{}
	for round := range rounds {
		answers := make([]answer, 2*perSide)
		together(2*perSide, func(i int) {
			if i%2 == 0 {
				answers[i] = move(0, ra, rb) // instance a: A under B
			} else {
				answers[i] = move(1, rb, ra) // instance b: B under A
			}
		})
		var aWon, bWon bool
		for i, ans := range answers {
			o, ok := firstOutcome(ans, "roles")
			switch {
			case ok && ans.status == 200 && o.Code == "SUCCESS":
				if i%2 == 0 {
					aWon = true
				} else {
					bWon = true
				}
			case ok && o.Code == "INVALID_DATA":
			default:
				t.Errorf("round %d: unexpected answer %s", round, ans)
			}
		}
		roles, err := c.a.Store.ListRoles(c.ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if cyc := cycle(roles); cyc != "" {
			t.Fatalf("round %d: the stored roles hold a cycle: %s", round, cyc)
		}
		if aWon && bWon {
			t.Fatalf("round %d: both moves succeeded, yet the roles hold no cycle: one answer lied", round)
		}
		if !aWon && !bWon {
			t.Errorf("round %d: both moves refused: the first to commit makes no cycle and must succeed", round)
		}
		wins[fmt.Sprintf("a:%v b:%v", aWon, bWon)]++
		// Back under the CEO for the next round, the one below first.
		for _, r := range []crmguard.ID{ra, rb} {
			got, err := c.a.Store.GetRole(c.ctx, org, r)
			if err != nil {
				t.Fatal(err)
			}
			if got.ReportingTo != ceo {
				if ans := move(0, r, ceo); ans.status != 200 {
					t.Fatalf("round %d: moving back under CEO: %s", round, ans)
				}
			}
		}
	}
	t.Logf("%d rounds of %d concurrent moves each way: %v", rounds, perSide, wins)
}

// cycle describes a cycle in the roles' reporting lines, or is "".
func cycle(roles []*crmguard.Role) string {
	up := map[crmguard.ID]crmguard.ID{}
	names := map[crmguard.ID]string{}
	for _, r := range roles {
		up[r.ID], names[r.ID] = r.ReportingTo, r.Name
	}
	for _, r := range roles {
		var path []string
		id := r.ID
		for steps := 0; id != 0; steps++ {
			path = append(path, names[id])
			if steps > len(roles) {
				return strings.Join(path, " → ")
			}
			id = up[id]
		}
	}
	return ""
}
