package service

import (
	"context"

	"github.com/crmguard/crmguard"
)

// perRecord runs change once per record of a bulk write, in order, in one
// transaction that first checks perm. A record whose change answers a Zoho
// error gets it as its result and the others go on; any other error (the
// store failing) undoes the whole request. Roles, territories and user
// groups add and update their records this way.
func (s *Service) perRecord(ctx context.Context, a crmguard.Actor, perm string, n int, change func(tx crmguard.Store, i int) error) ([]error, error) {
	results := make([]error, n)
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, perm); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			err := change(tx, i)
			if _, ok := crmguard.AsError(err); !ok && err != nil {
				return err
			}
			results[i] = err
		}
		return nil
	})
	return results, err
}
