package service

import (
	"context"

	"github.com/crmguard/crmguard"
)

// UserName is how a user is named where another record refers to it: the
// full name, and the first and last names v8's owner objects carry.
type UserName struct {
	Full, First, Last string
}

// UserNameParts returns the names of the users with these IDs; unknown IDs
// are left out.
func (s *Service) UserNameParts(ctx context.Context, org crmguard.ID, ids []crmguard.ID) (map[crmguard.ID]UserName, error) {
	users, err := s.store.GetUsers(ctx, org, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[crmguard.ID]UserName, len(users))
	for _, u := range users {
		out[u.ID] = UserName{Full: u.FullName(), First: u.FirstName, Last: u.LastName}
	}
	return out, nil
}
