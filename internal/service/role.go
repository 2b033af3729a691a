package service

import (
	"context"
	"errors"

	"github.com/crmguard/crmguard"
)

// ListRoles lists the org's roles.
func (s *Service) ListRoles(ctx context.Context, org crmguard.ID) ([]*crmguard.Role, error) {
	return s.store.ListRoles(ctx, org)
}

// RoleByRef finds a role by ID or name (any case).
func (s *Service) RoleByRef(ctx context.Context, org crmguard.ID, ref string) (*crmguard.Role, error) {
	var r *crmguard.Role
	var err error
	if id, ok := crmguard.ParseID(ref); ok {
		r, err = s.store.GetRole(ctx, org, id)
	} else {
		r, err = s.store.GetRoleByName(ctx, org, ref)
	}
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "the id given seems to be invalid or already deleted", crmguard.Details{"role": ref})
	}
	return r, err
}

// ErrInvalidRoleID answers a role ID that names no role of the org.
var ErrInvalidRoleID = crmguard.NewError(crmguard.CodeInvalidData, msgRoleID, crmguard.Details{})

// GetRole returns one role; a missing one is INVALID_DATA.
func (s *Service) GetRole(ctx context.Context, org, id crmguard.ID) (*crmguard.Role, error) {
	r, err := s.store.GetRole(ctx, org, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInvalidRoleID
	}
	return r, err
}
