package service

import (
	"context"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

// APIAccessRow is one user who can call the API: active, on a profile with
// "Zoho CRM API Access".
type APIAccessRow struct {
	User    *crmguard.User
	Profile *crmguard.Profile
	// Restricted says IP rules bind the user (they may call only from the
	// rules' ranges).
	Restricted bool
}

// APIAccessReport lists the active users whose profile grants API access,
// by profile then ID, and how many active users each profile has.
func (s *Service) APIAccessReport(ctx context.Context, org crmguard.ID) ([]APIAccessRow, map[crmguard.ID]int, error) {
	profiles, err := s.store.ListProfiles(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	rules, err := s.store.ListIPRules(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	byID := map[crmguard.ID]*crmguard.Profile{}
	for _, p := range profiles {
		byID[p.ID] = p
	}
	active := map[crmguard.ID]int{}
	var rows []APIAccessRow
	err = s.store.EachUser(ctx, org, crmguard.UserFilter{Statuses: onlyActive}, func(u *crmguard.User) error {
		active[u.ProfileID]++
		p := byID[u.ProfileID]
		if p == nil || !p.Permissions.Has(crmguard.PermAPIAccess) {
			return nil
		}
		restricted := access.RestrictionFor(rules, u.ID, u.RoleID, u.ProfileID).Restricted
		rows = append(rows, APIAccessRow{User: u, Profile: p, Restricted: restricted})
		return nil
	})
	return rows, active, err
}
