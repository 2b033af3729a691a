package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/crmguard/crmguard"
)

var (
	seedFirst = []string{"Ava", "Ben", "Chen", "Dara", "Elif", "Femi", "Gia", "Hugo", "Ines", "Jon", "Kemal", "Lena",
		"Milo", "Nadia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor", "Wen", "Ximena", "Yara", "Zane"}
	seedLast = []string{"Abe", "Bauer", "Cruz", "Diallo", "Eriksen", "Ferreira", "Gupta", "Horvat", "Ito", "Jansen",
		"Kim", "Lopez", "Murphy", "Novak", "Olsen", "Patel", "Quispe", "Reyes", "Silva", "Tran", "Usman", "Varga",
		"Weber", "Xu", "Yilmaz", "Zhou"}
)

// seedChunk is how many users SeedUsers commits per transaction. Each
// chunk holds the database's write lock for tens of milliseconds, so the
// API's writes wait a fraction of a second behind a seed of a million
// users instead of failing at the lock timeout.
const seedChunk = 2000

// SeedUsers adds n generated users, for load and scale tests: names from a
// fixed list, e-mails <first>.<last>.<batch>.<k>@example.test, every
// twentieth deactivated and every twentieth (offset by ten) not confirmed,
// spread over the org's profiles other than Administrator and its roles
// other than CEO. The licence count is raised first to fit when it would
// not. Users are committed in chunks of seedChunk, each chunk with its own
// user.seed audit event: each chunk applies whole or not at all, and if the
// seed stops part-way (an error, a cancelled context) the chunks committed
// so far stay and the error says how many. progress, if set, is called with
// the number done after each chunk.
func (s *Service) SeedUsers(ctx context.Context, a crmguard.Actor, n int, progress func(done int)) (int, error) {
	if n < 1 || n > 1_000_000 {
		return 0, crmguard.NewError(crmguard.CodeInvalidData, "the count must be 1 to 1000000", crmguard.Details{"api_name": "count"})
	}
	var (
		org        *crmguard.Org
		pids, rids []crmguard.ID
		raised     int
	)
	newActive := n - n/20 // every twentieth is deactivated
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		var err error
		if org, err = tx.GetOrg(ctx, a.OrgID); err != nil {
			return err
		}
		profiles, err := tx.ListProfiles(ctx, a.OrgID)
		if err != nil {
			return err
		}
		roles, err := tx.ListRoles(ctx, a.OrgID)
		if err != nil {
			return err
		}
		for _, p := range profiles {
			if !p.IsAdministrator() {
				pids = append(pids, p.ID)
			}
		}
		for _, r := range roles {
			if r.ReportingTo != 0 {
				rids = append(rids, r.ID)
			}
		}
		if len(pids) == 0 || len(rids) == 0 {
			return crmguard.NewError(crmguard.CodeInvalidRequest, "the org needs a profile other than Administrator and a role under CEO to seed users", nil)
		}
		active, err := tx.CountUsers(ctx, a.OrgID, crmguard.UserActive)
		if err != nil {
			return err
		}
		if need := active + newActive; need > org.LicenseUsers {
			before := org.LicenseUsers
			org.LicenseUsers, raised = need, need
			org.ModifiedTime = s.Now()
			if err := tx.UpdateOrg(ctx, org); err != nil {
				return err
			}
			return s.audit(ctx, tx, a, "org.update", "org", org.ID, map[string]any{"license_users": before}, map[string]any{"license_users": need})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	batch := s.ids.New() % 100000 // keeps e-mails of separate seedings apart
	users := make([]*crmguard.User, 0, seedChunk)
	for start := 0; start < n; start += seedChunk {
		end := min(start+seedChunk, n)
		now := s.Now()
		users = users[:0]
		for i := start; i < end; i++ {
			first, last := seedFirst[i%len(seedFirst)], seedLast[(i/len(seedFirst))%len(seedLast)]
			u := &crmguard.User{ID: s.ids.New(), OrgID: a.OrgID, FirstName: first, LastName: last,
				Email:  fmt.Sprintf("%s.%s.%d.%d@example.test", strings.ToLower(first), strings.ToLower(last), batch, i),
				RoleID: rids[i%len(rids)], ProfileID: pids[i%len(pids)], Status: crmguard.UserActive,
				Confirmed: i%20 != 10, TimeZone: org.TimeZone, Locale: "en_US",
				CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
			if i%20 == 19 {
				u.Status = crmguard.UserDisabled
			}
			users = append(users, u)
		}
		err := s.write(ctx, func(tx crmguard.Store) error {
			if err := tx.CreateUsers(ctx, users); err != nil {
				return err
			}
			return s.audit(ctx, tx, a, "user.seed", "org", org.ID, nil, map[string]any{"count": end - start, "batch": batch, "done": end, "of": n})
		})
		if err != nil {
			if start == 0 {
				return raised, err
			}
			return raised, fmt.Errorf("seeded %d of %d users, then: %w", start, n, err)
		}
		if progress != nil {
			progress(end)
		}
	}
	return raised, nil
}
