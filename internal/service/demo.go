package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/crmguard/crmguard"
)

// Demo is what a demo start reports.
type Demo struct {
	Users int
	// Seeded is true when this start added the demo; false when the org
	// had it already (a later start of 'serve --demo').
	Seeded bool
	Tokens *Tokens
}

// demoMarker is the demo user whose presence means the demo is in the org:
// the README's walk-through signs in as her.
const demoMarker = "patricia.boyle@example.com"

// DemoScopes are the scopes of the demo's ready tokens.
const DemoScopes = "ZohoCRM.users.ALL,ZohoCRM.org.ALL,ZohoCRM.settings.ALL"

var demoPeople = []struct{ first, last, role, profile string }{
	{"Patricia", "Boyle", "Manager", "Sales"}, {"Marcus", "Webb", "Manager", "Sales"},
	{"Aisha", "Khan", "Manager", "Support"}, {"Daniel", "Okafor", "Sales Rep", "Sales"},
	{"Emma", "Lindqvist", "Sales Rep", "Sales"}, {"Hiro", "Tanaka", "Sales Rep", "Sales"},
	{"Sofia", "Rossi", "Sales Rep", "Sales"}, {"Lucas", "Moreau", "Sales Rep", "Sales"},
	{"Grace", "Nwosu", "Sales Rep", "Standard"}, {"Oliver", "Brandt", "Sales Rep", "Standard"},
	{"Priya", "Raman", "Sales Rep", "Sales"}, {"Mateo", "García", "Sales Rep", "Sales"},
	{"Chloe", "Dubois", "Support Agent", "Support"}, {"Noah", "Fischer", "Support Agent", "Support"},
	{"Zara", "Ahmed", "Support Agent", "Support"}, {"Liam", "O'Connor", "Support Agent", "Support"},
	{"Mia", "Kowalski", "Support Agent", "Standard"}, {"Ethan", "Park", "Support Agent", "Support"},
	{"Isabella", "Costa", "Support Agent", "Standard"}, {"Yusuf", "Demir", "Sales Rep", "Standard"},
	{"Hannah", "Berg", "Sales Rep", "Sales"}, {"Arjun", "Mehta", "Manager", "Administrator"},
	{"Nina", "Petrova", "Support Agent", "Support"},
}

// SeedDemo adds a realistic demo to the org: about 25 users over several
// roles and profiles, a Sales profile with API access, a Support profile
// without, a deactivated and a not-yet-confirmed user. An org that was not
// fresh (one made by a plain 'serve' before 'serve --demo') gets the demo
// too, unless it has it already: the demo's profiles, roles and users that
// exist by name or e-mail are kept as they are, so a second start changes
// nothing. Either way it mints admin tokens.
func (s *Service) SeedDemo(ctx context.Context, org crmguard.ID, fresh bool) (*Demo, error) {
	o, err := s.store.GetOrg(ctx, org)
	if err != nil {
		return nil, err
	}
	a := crmguard.Actor{OrgID: org, UserID: o.PrimaryUserID, Source: crmguard.SourceSystem}
	seed := fresh
	if !fresh {
		_, err := s.store.GetUserByEmail(ctx, org, demoMarker)
		if err != nil && !errors.Is(err, crmguard.ErrNotFound) {
			return nil, err
		}
		seed = err != nil
	}
	if seed {
		if err := s.write(ctx, func(tx crmguard.Store) error { return s.seedDemo(ctx, tx, a, o) }); err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
	}
	n, err := s.store.CountUsers(ctx, org, "")
	if err != nil {
		return nil, err
	}
	t, err := s.IssueTokens(ctx, a, o.PrimaryUserID, DemoScopes, true)
	if err != nil {
		return nil, err
	}
	return &Demo{Users: n, Seeded: seed, Tokens: t}, nil
}

func (s *Service) seedDemo(ctx context.Context, tx crmguard.Store, a crmguard.Actor, o *crmguard.Org) error {
	now := s.Now()
	std, err := tx.GetProfileByName(ctx, o.ID, crmguard.ProfileStandard)
	if err != nil {
		return err
	}
	adm, err := tx.GetProfileByName(ctx, o.ID, crmguard.ProfileAdministrator)
	if err != nil {
		return err
	}
	apiIdx, _ := crmguard.PermissionIndex(crmguard.PermAPIAccess)
	sales := &crmguard.Profile{ID: s.ids.New(), OrgID: o.ID, Name: "Sales", DisplayLabel: "Sales", Type: crmguard.ProfileNormal,
		Custom: true, Description: "Sales team: everyday module work and API access for integrations.",
		Permissions: std.Permissions, CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
	sales.Permissions.Set(apiIdx, true)
	support := &crmguard.Profile{ID: s.ids.New(), OrgID: o.ID, Name: "Support", DisplayLabel: "Support", Type: crmguard.ProfileNormal,
		Custom: true, Description: "Support team: cases and solutions, no API access.",
		Permissions: std.Permissions, CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
	profiles := map[string]crmguard.ID{"Standard": std.ID, "Administrator": adm.ID}
	for _, p := range []*crmguard.Profile{sales, support} {
		if have, err := tx.GetProfileByName(ctx, o.ID, p.Name); err == nil {
			profiles[p.Name] = have.ID // the org's own profile of that name stays as it is
			continue
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		if err := tx.CreateProfile(ctx, p); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "profile.create", "profile", p.ID, nil, map[string]any{"name": p.Name}); err != nil {
			return err
		}
		profiles[p.Name] = p.ID
	}
	mgr, err := tx.GetRoleByName(ctx, o.ID, "Manager")
	if err != nil {
		return fmt.Errorf("the demo's roles report to the role Manager: %w", err)
	}
	roles := map[string]crmguard.ID{"Manager": mgr.ID}
	for _, name := range []string{"Sales Rep", "Support Agent"} {
		if have, err := tx.GetRoleByName(ctx, o.ID, name); err == nil {
			roles[name] = have.ID
			continue
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		r := &crmguard.Role{ID: s.ids.New(), OrgID: o.ID, Name: name, DisplayLabel: name, ReportingTo: mgr.ID,
			CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
		if err := tx.CreateRole(ctx, r); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "role.add", "role", r.ID, nil, map[string]any{"name": r.Name}); err != nil {
			return err
		}
		roles[name] = r.ID
	}
	for i, p := range demoPeople {
		u := &crmguard.User{ID: s.ids.New(), OrgID: o.ID, FirstName: p.first, LastName: p.last,
			Email:  strings.ToLower(asciiName(p.first) + "." + asciiName(p.last) + "@example.com"),
			RoleID: roles[p.role], ProfileID: profiles[p.profile], Status: crmguard.UserActive, Confirmed: true,
			TimeZone: o.TimeZone, Locale: "en_US", CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
		if _, err := tx.GetUserByEmail(ctx, o.ID, u.Email); err == nil {
			continue // a user of the org already has this address
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		switch i {
		case 9: // Oliver Brandt left the company.
			u.Status = crmguard.UserDisabled
		case 10: // Priya Raman has not accepted her invitation yet.
			u.Confirmed = false
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "user.add", "user", u.ID, nil, map[string]any{"email": u.Email, "status": u.Status}); err != nil {
			return err
		}
	}
	return nil
}

// asciiName keeps letters of a name usable in an e-mail address.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == 'í':
			b.WriteByte('i')
		}
	}
	return b.String()
}
