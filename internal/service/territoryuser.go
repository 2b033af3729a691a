package service

import (
	"context"
	"errors"

	"github.com/crmguard/crmguard"
)

// UserTerritories lists the territories a user belongs to; an unknown user
// is INVALID_DATA
// (https://www.zoho.com/crm/developer/docs/api/v8/get-user-territories.html).
func (s *Service) UserTerritories(ctx context.Context, org, user crmguard.ID) ([]*crmguard.Territory, error) {
	if _, err := s.GetUser(ctx, org, user); err != nil {
		return nil, err
	}
	return s.store.ListUserTerritories(ctx, org, user)
}

// AssociateUserTerritories makes a user a member of each territory, each
// all or nothing, and returns one result per ID (nil for success). Zoho
// refuses the caller's own territories as NOT_ALLOWED, and a deleted user
// as an invalid one.
func (s *Service) AssociateUserTerritories(ctx context.Context, a crmguard.Actor, user crmguard.ID, ids []crmguard.ID) ([]error, error) {
	return s.userTerritories(ctx, a, user, ids, true)
}

// RemoveUserTerritories ends a user's membership of each territory; a
// territory the user is not in, the root territory and one the user
// manages are INVALID_DATA
// (https://www.zoho.com/crm/developer/docs/api/v8/remove-territories-from-user.html).
func (s *Service) RemoveUserTerritories(ctx context.Context, a crmguard.Actor, user crmguard.ID, ids []crmguard.ID) ([]error, error) {
	return s.userTerritories(ctx, a, user, ids, false)
}

func (s *Service) userTerritories(ctx context.Context, a crmguard.Actor, user crmguard.ID, ids []crmguard.ID, add bool) ([]error, error) {
	results := make([]error, len(ids))
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, a.OrgID, user)
		if errors.Is(err, crmguard.ErrNotFound) || (err == nil && u.Status == crmguard.UserDeleted) {
			return ErrInvalidUserID
		} else if err != nil {
			return err
		}
		if user == a.UserID {
			return crmguard.NewError(crmguard.CodeNotAllowed, msgOwnTerritories, crmguard.Details{})
		}
		for i, id := range ids {
			if id == 0 {
				results[i] = recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "id", nil)
				continue
			}
			t, err := tx.GetTerritory(ctx, a.OrgID, id)
			if errors.Is(err, crmguard.ErrNotFound) {
				msg := msgTerritoryID
				if !add {
					msg = "One or more given territory IDs seem to be invalid"
				}
				results[i] = recordErr(crmguard.CodeInvalidData, msg, "id", nil)
				continue
			} else if err != nil {
				return err
			}
			// Zoho's remove-territories-from-user page: the org's own (root)
			// territory stays, and so does a territory its manager runs.
			if !add && t.ReportingTo == 0 {
				results[i] = recordErr(crmguard.CodeInvalidData, "Organization Territory cannot be removed from the user", "id", nil)
				continue
			}
			if !add && t.Manager == user {
				results[i] = recordErr(crmguard.CodeInvalidData, "A territory cannot be removed from its assigned manager", "id", nil)
				continue
			}
			action := "territory.user_add"
			if add {
				err = tx.AddTerritoryUser(ctx, a.OrgID, id, user)
			} else {
				action = "territory.user_remove"
				err = tx.RemoveTerritoryUser(ctx, a.OrgID, id, user)
			}
			switch {
			case errors.Is(err, crmguard.ErrConflict):
				results[i] = recordErr(crmguard.CodeDuplicateData, "Territory already associated with the user", "id", nil)
				continue
			case errors.Is(err, crmguard.ErrNotFound):
				results[i] = recordErr(crmguard.CodeInvalidData, "The territory ID is not linked with the specified user", "id", nil)
				continue
			case err != nil:
				return err
			}
			if err := s.audit(ctx, tx, a, action, "territory", id, nil, map[string]any{"territory": id, "user": user}); err != nil {
				return err
			}
		}
		return nil
	})
	return results, err
}

// TerritoryUserIDs lists the members of a territory; an unknown territory
// is INVALID_DATA
// (https://www.zoho.com/crm/developer/docs/api/v8/get-user-territory.html).
func (s *Service) TerritoryUserIDs(ctx context.Context, org, territory crmguard.ID) ([]crmguard.ID, error) {
	if _, err := s.GetTerritory(ctx, org, territory); err != nil {
		return nil, err
	}
	return s.store.ListTerritoryUserIDs(ctx, org, territory)
}

// AssociateTerritoryUsers adds users to a territory, each all or nothing,
// and returns one result per ID: an unknown, deleted or inactive user is
// INVALID_DATA, a member already DUPLICATE_DATA
// (https://www.zoho.com/crm/developer/docs/api/v8/associate-users-territory.html).
func (s *Service) AssociateTerritoryUsers(ctx context.Context, a crmguard.Actor, territory crmguard.ID, users []crmguard.ID) ([]error, error) {
	return s.territoryUsers(ctx, a, territory, users, true)
}

// RemoveTerritoryUsers takes users out of a territory, with the rules of
// RemoveUserTerritories.
func (s *Service) RemoveTerritoryUsers(ctx context.Context, a crmguard.Actor, territory crmguard.ID, users []crmguard.ID) ([]error, error) {
	return s.territoryUsers(ctx, a, territory, users, false)
}

func (s *Service) territoryUsers(ctx context.Context, a crmguard.Actor, territory crmguard.ID, users []crmguard.ID, add bool) ([]error, error) {
	results := make([]error, len(users))
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		t, err := tx.GetTerritory(ctx, a.OrgID, territory)
		if errors.Is(err, crmguard.ErrNotFound) {
			return ErrInvalidTerritoryID
		} else if err != nil {
			return err
		}
		for i, id := range users {
			results[i], err = s.territoryUser(ctx, tx, a, t, id, add)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return results, err
}

// territoryUser adds or removes one member: the first result is the
// record's, the second fails the request.
func (s *Service) territoryUser(ctx context.Context, tx crmguard.Store, a crmguard.Actor, t *crmguard.Territory, user crmguard.ID, add bool) (error, error) {
	if user == 0 {
		return recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "id", nil), nil
	}
	u, err := tx.GetUser(ctx, a.OrgID, user)
	switch {
	case errors.Is(err, crmguard.ErrNotFound):
		return recordErr(crmguard.CodeInvalidData, "The user ID is invalid", "id", nil), nil
	case err != nil:
		return nil, err
	case u.Status == crmguard.UserDeleted:
		return recordErr(crmguard.CodeInvalidData, "The user ID given has already been deleted", "id", nil), nil
	case add && !u.Active():
		return recordErr(crmguard.CodeInvalidData, "The user you are trying to associate is an inactive user", "id", nil), nil
	case !add && t.ReportingTo == 0:
		return recordErr(crmguard.CodeInvalidData, "Organization Territory cannot be removed from the user", "id", nil), nil
	case !add && t.Manager == user:
		return recordErr(crmguard.CodeInvalidData, "A territory cannot be removed from its assigned manager", "id", nil), nil
	}
	action := "territory.user_add"
	if add {
		err = tx.AddTerritoryUser(ctx, a.OrgID, t.ID, user)
	} else {
		action = "territory.user_remove"
		err = tx.RemoveTerritoryUser(ctx, a.OrgID, t.ID, user)
	}
	switch {
	case errors.Is(err, crmguard.ErrConflict):
		return recordErr(crmguard.CodeDuplicateData, "The user is already associated with the territory", "id", nil), nil
	case errors.Is(err, crmguard.ErrNotFound):
		return recordErr(crmguard.CodeInvalidData, "The user is not a member of this territory", "id", nil), nil
	case err != nil:
		return nil, err
	}
	return nil, s.audit(ctx, tx, a, action, "territory", t.ID, nil, map[string]any{"territory": t.ID, "user": user})
}
