package service

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

// Limits and messages of the Roles API
// (https://www.zoho.com/crm/developer/docs/api/v8/create-roles.html).
const (
	maxRoleName = 50
	maxRoleDesc = 250
	// roleNameForbidden are characters Zoho refuses in role names.
	roleNameForbidden = `#<>"\`

	msgRoleID     = "The ID given seems to be invalid or already deleted"
	msgRoleTop    = "The top role cannot report to another role"
	msgRoleCycle  = "A role cannot report to itself or to a role below it"
	msgRoleTopDel = "The top role cannot be deleted"
)

// RoleInput is one record of POST or PUT /settings/roles; nil is absent.
type RoleInput struct {
	ID              crmguard.ID // updates: 0 when missing or malformed
	HasID           bool
	Name            *string
	Description     *string
	ReportingTo     *crmguard.ID
	ShareWithPeers  *bool
	ForecastManager *crmguard.ID // 0 clears
}

func roleErr(code, msg, api string, more crmguard.Details) error {
	return recordErr(code, msg, api, more)
}

// roleAudit is the audited form of a role.
func roleAudit(r *crmguard.Role) map[string]any {
	return map[string]any{"id": r.ID, "name": r.Name, "description": r.Description, "reporting_to": r.ReportingTo,
		"share_with_peers": r.ShareWithPeer, "forecast_manager": r.ForecastManager}
}

// applyRole checks one record against the tree and copies it onto r.
func (s *Service) applyRole(ctx context.Context, tx crmguard.Store, org crmguard.ID, in RoleInput, r *crmguard.Role, tree access.RoleTree) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		switch {
		case !cleanText(name):
			return roleErr(crmguard.CodeInvalidData, "invalid data", "name", crmguard.Details{"expected_data_type": "text"})
		case name == "":
			return roleErr(crmguard.CodeMandatoryNotFound, "required field not found", "name", nil)
		case utf8.RuneCountInString(name) > maxRoleName:
			return roleErr(crmguard.CodeInvalidData, "invalid data", "name", crmguard.Details{"maximum_length": maxRoleName})
		case strings.ContainsAny(name, roleNameForbidden):
			return roleErr(crmguard.CodeInvalidData, "invalid data", "name", crmguard.Details{"forbidden_characters": roleNameForbidden})
		}
		if dup, err := tx.GetRoleByName(ctx, org, name); err == nil && dup.ID != r.ID {
			return roleErr(crmguard.CodeDuplicateData, "duplicate data", "name", crmguard.Details{"id": dup.ID.String()})
		} else if err != nil && !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		r.Name, r.DisplayLabel = name, name
	}
	if in.Description != nil {
		if !cleanText(*in.Description) {
			return roleErr(crmguard.CodeInvalidData, "invalid data", "description", crmguard.Details{"expected_data_type": "text"})
		}
		if utf8.RuneCountInString(*in.Description) > maxRoleDesc {
			return roleErr(crmguard.CodeInvalidData, "invalid data", "description", crmguard.Details{"maximum_length": maxRoleDesc})
		}
		r.Description = *in.Description
	}
	if in.ReportingTo != nil {
		to := *in.ReportingTo
		switch {
		case !tree.Has(to):
			return roleErr(crmguard.CodeInvalidData, "invalid data", "reporting_to", nil)
		case r.ID != 0 && r.ReportingTo == 0:
			return roleErr(crmguard.CodeInvalidData, msgRoleTop, "reporting_to", nil)
		case r.ID != 0 && tree.Under(to, r.ID):
			return roleErr(crmguard.CodeInvalidData, msgRoleCycle, "reporting_to", nil)
		}
		r.ReportingTo = to
	}
	if in.ShareWithPeers != nil {
		r.ShareWithPeer = *in.ShareWithPeers
	}
	if in.ForecastManager != nil {
		if id := *in.ForecastManager; id != 0 {
			// Only a missing or deleted user is the client's mistake; a
			// failing store is ours and must not read as INVALID_DATA.
			u, err := tx.GetUser(ctx, org, id)
			if errors.Is(err, crmguard.ErrNotFound) || (err == nil && u.Status == crmguard.UserDeleted) {
				return roleErr(crmguard.CodeInvalidData, "invalid data", "forecast_manager", nil)
			} else if err != nil {
				return err
			}
		}
		r.ForecastManager = *in.ForecastManager
	}
	return nil
}

// AddRoles adds roles from POST /settings/roles records, in order, each all
// or nothing. It returns the new IDs and one result per record (nil for
// success); the error is for the request as a whole.
func (s *Service) AddRoles(ctx context.Context, a crmguard.Actor, ins []RoleInput) ([]crmguard.ID, []error, error) {
	ids := make([]crmguard.ID, len(ins))
	var roles []*crmguard.Role // the org's, with those added so far
	results, err := s.perRecord(ctx, a, crmguard.PermManageRoles, len(ins), func(tx crmguard.Store, i int) error {
		if i == 0 {
			var err error
			if roles, err = tx.ListRoles(ctx, a.OrgID); err != nil {
				return err
			}
		}
		r, err := s.addRole(ctx, tx, a, ins[i], roles)
		if r != nil {
			ids[i], roles = r.ID, append(roles, r)
		}
		return err
	})
	return ids, results, err
}

// addRole adds one record given the org's roles; the role is nil unless it
// was added.
func (s *Service) addRole(ctx context.Context, tx crmguard.Store, a crmguard.Actor, in RoleInput, roles []*crmguard.Role) (*crmguard.Role, error) {
	if in.Name == nil {
		return nil, roleErr(crmguard.CodeMandatoryNotFound, "required field not found", "name", nil)
	}
	if in.ReportingTo == nil {
		return nil, roleErr(crmguard.CodeMandatoryNotFound, "required field not found", "reporting_to", nil)
	}
	now := s.Now()
	r := &crmguard.Role{OrgID: a.OrgID, CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
	if err := s.applyRole(ctx, tx, a.OrgID, in, r, access.NewRoleTree(roles)); err != nil {
		return nil, err
	}
	r.ID = s.ids.New()
	if err := tx.CreateRole(ctx, r); errors.Is(err, crmguard.ErrConflict) {
		return nil, roleErr(crmguard.CodeDuplicateData, "duplicate data", "name", nil)
	} else if err != nil {
		return nil, err
	}
	return r, s.audit(ctx, tx, a, "role.add", "role", r.ID, nil, roleAudit(r))
}

// UpdateRoles applies PUT /settings/roles records in order, each all or
// nothing: the top role cannot report to another, and no role may report
// to itself or a role below it.
func (s *Service) UpdateRoles(ctx context.Context, a crmguard.Actor, ins []RoleInput) ([]error, error) {
	return s.perRecord(ctx, a, crmguard.PermManageRoles, len(ins), func(tx crmguard.Store, i int) error {
		return s.updateRole(ctx, tx, a, ins[i])
	})
}

func (s *Service) updateRole(ctx context.Context, tx crmguard.Store, a crmguard.Actor, in RoleInput) error {
	if !in.HasID {
		return roleErr(crmguard.CodeMandatoryNotFound, "required field not found", "id", nil)
	}
	r, err := tx.GetRole(ctx, a.OrgID, in.ID)
	if errors.Is(err, crmguard.ErrNotFound) || in.ID == 0 {
		return roleErr(crmguard.CodeInvalidData, msgRoleID, "id", nil)
	} else if err != nil {
		return err
	}
	roles, err := tx.ListRoles(ctx, a.OrgID)
	if err != nil {
		return err
	}
	before := roleAudit(r)
	if err := s.applyRole(ctx, tx, a.OrgID, in, r, access.NewRoleTree(roles)); err != nil {
		return err
	}
	r.ModifiedBy, r.ModifiedTime = a.UserID, s.Now()
	if err := tx.UpdateRole(ctx, r); errors.Is(err, crmguard.ErrConflict) {
		return roleErr(crmguard.CodeDuplicateData, "duplicate data", "name", nil)
	} else if err != nil {
		return err
	}
	return s.audit(ctx, tx, a, "role.update", "role", r.ID, before, roleAudit(r))
}

// DeleteRole moves the role's users and the roles reporting to it to
// transferTo, then deletes it. The top role cannot be deleted; transferTo
// cannot be the role or one below it; a role IP rules name is kept.
func (s *Service) DeleteRole(ctx context.Context, a crmguard.Actor, id, transferTo crmguard.ID) error {
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageRoles); err != nil {
			return err
		}
		r, err := tx.GetRole(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) {
			return ErrInvalidRoleID
		} else if err != nil {
			return err
		}
		if r.ReportingTo == 0 {
			return crmguard.NewError(crmguard.CodeInvalidData, msgRoleTopDel, crmguard.Details{"id": r.ID.String()})
		}
		roles, err := tx.ListRoles(ctx, a.OrgID)
		if err != nil {
			return err
		}
		tree := access.NewRoleTree(roles)
		switch {
		case !tree.Has(transferTo):
			return crmguard.NewError(crmguard.CodeInvalidData, msgRoleID, crmguard.Details{"param_name": "transfer_to_id", "param": transferTo.String()})
		case tree.Under(transferTo, r.ID):
			return crmguard.NewError(crmguard.CodeInvalidData, "The users and sub-roles cannot move to the role itself or to a role below it",
				crmguard.Details{"param_name": "transfer_to_id", "param": transferTo.String()})
		}
		rules, err := tx.ListIPRules(ctx, a.OrgID)
		if err != nil {
			return err
		}
		for _, rule := range rules {
			if rule.AppliesTo == crmguard.IPRuleRole && rule.TargetID == r.ID {
				return crmguard.NewError(crmguard.CodeInvalidData, "IP rules apply to this role: remove them first", crmguard.Details{"id": r.ID.String(), "ip_rule": rule.ID.String()})
			}
		}
		users, subRoles, err := tx.ReassignRole(ctx, a.OrgID, r.ID, transferTo, a.UserID, s.Now())
		if err != nil {
			return err
		}
		if err := tx.DeleteRole(ctx, a.OrgID, r.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "role.delete", "role", r.ID, roleAudit(r),
			map[string]any{"transfer_to": transferTo, "users_moved": users, "roles_moved": subRoles})
	})
}
