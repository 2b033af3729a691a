package service

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

// Limits of the User Groups API. Zoho's pages
// (https://www.zoho.com/crm/developer/docs/api/v8/create-user-group.html)
// say only that a name is mandatory and unique; the lengths are crmguard's
// own bounds, the same as a role's.
const (
	maxGroupName    = 50
	maxGroupDesc    = 250
	maxGroupSources = 100
)

// ErrInvalidGroupID answers a group ID that names no group of the org: the
// OpenAPI file's InvalidUrlError (zoho/crm-oas v8.0/user_groups.json), the
// index of the ID in settings/user_groups/{id}.
var ErrInvalidGroupID = crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"resource_path_index": 2})

// GroupSourceInput is one item of a record's sources array.
type GroupSourceInput struct {
	Type         string
	ID           crmguard.ID // 0 when missing or malformed
	Subordinates bool
	Delete       bool // _delete: true removes the source (updates)
}

// UserGroupInput is one record of POST or PUT /settings/user_groups; nil
// is absent.
type UserGroupInput struct {
	ID          crmguard.ID
	HasID       bool
	Name        *string
	Description *string
	Sources     []GroupSourceInput
	HasSources  bool
}

func groupAudit(g *crmguard.UserGroup) map[string]any {
	src := make([]map[string]any, len(g.Sources))
	for i, s := range g.Sources {
		src[i] = map[string]any{"type": s.Type, "id": s.ID, "subordinates": s.Subordinates}
	}
	return map[string]any{"id": g.ID, "name": g.Name, "description": g.Description, "sources": src}
}

func sourceErr(code, msg, field string, i int, more crmguard.Details) error {
	e := recordErr(code, msg, field, more)
	e.Parent, e.Index = "sources", i
	return e
}

// applyGroup checks one record and copies it onto g: on create the
// sources are the group's, on update they are added to it, or removed
// with _delete.
func (s *Service) applyGroup(ctx context.Context, tx crmguard.Store, org crmguard.ID, in UserGroupInput, g *crmguard.UserGroup) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		switch {
		case !cleanText(name):
			return recordErr(crmguard.CodeInvalidData, "invalid data", "name", crmguard.Details{"expected_data_type": "text"})
		case name == "":
			return recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "name", nil)
		case utf8.RuneCountInString(name) > maxGroupName:
			return recordErr(crmguard.CodeInvalidData, "invalid data", "name", crmguard.Details{"maximum_length": maxGroupName})
		}
		g.Name = name
	}
	if in.Description != nil {
		d := *in.Description
		switch {
		case !cleanText(d):
			return recordErr(crmguard.CodeInvalidData, "invalid data", "description", crmguard.Details{"expected_data_type": "text"})
		case utf8.RuneCountInString(d) > maxGroupDesc:
			return recordErr(crmguard.CodeInvalidData, "invalid data", "description", crmguard.Details{"maximum_length": maxGroupDesc})
		}
		g.Description = d
	}
	if !in.HasSources {
		return nil
	}
	roles, err := tx.ListRoles(ctx, org)
	if err != nil {
		return err
	}
	tree := access.NewRoleTree(roles)
	for i, src := range in.Sources {
		switch src.Type {
		case crmguard.GroupSourceUsers, crmguard.GroupSourceRoles:
		case "":
			return sourceErr(crmguard.CodeMandatoryNotFound, "required field not found", "type", i, nil)
		default: // territories and groups are Zoho's too; crmguard keeps neither
			return sourceErr(crmguard.CodeInvalidData, "invalid data", "type", i,
				crmguard.Details{"supported_values": []string{crmguard.GroupSourceUsers, crmguard.GroupSourceRoles}})
		}
		if src.ID == 0 {
			return sourceErr(crmguard.CodeMandatoryNotFound, "required field not found", "source", i, nil)
		}
		at := -1
		for j, have := range g.Sources {
			if have.Type == src.Type && have.ID == src.ID {
				at = j
			}
		}
		if src.Delete {
			if at >= 0 {
				g.Sources = append(g.Sources[:at], g.Sources[at+1:]...)
			}
			continue
		}
		if src.Type == crmguard.GroupSourceRoles {
			if !tree.Has(src.ID) {
				return sourceErr(crmguard.CodeInvalidData, "invalid data", "source", i, crmguard.Details{"id": src.ID.String()})
			}
		} else {
			u, err := tx.GetUser(ctx, org, src.ID)
			if errors.Is(err, crmguard.ErrNotFound) || (err == nil && u.Status == crmguard.UserDeleted) {
				return sourceErr(crmguard.CodeInvalidData, "invalid data", "source", i, crmguard.Details{"id": src.ID.String()})
			} else if err != nil {
				return err
			}
		}
		keep := crmguard.GroupSource{Type: src.Type, ID: src.ID, Subordinates: src.Subordinates && src.Type == crmguard.GroupSourceRoles}
		if at >= 0 {
			g.Sources[at] = keep
		} else {
			g.Sources = append(g.Sources, keep)
		}
	}
	if len(g.Sources) == 0 {
		return recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "sources", nil)
	}
	if len(g.Sources) > maxGroupSources {
		return recordErr(crmguard.CodeInvalidData, "invalid data", "sources", crmguard.Details{"maximum_length": maxGroupSources})
	}
	return nil
}

// AddUserGroups creates groups from POST /settings/user_groups records, each
// all or nothing, audited in the same transaction. Zoho's pages ask for the
// "Manage Groups" permission
// (https://www.zoho.com/crm/developer/docs/api/v8/user-groups-associations.html);
// crmguard's profiles have no such permission, so Manage Users stands in.
func (s *Service) AddUserGroups(ctx context.Context, a crmguard.Actor, ins []UserGroupInput) ([]crmguard.ID, []error, error) {
	ids := make([]crmguard.ID, len(ins))
	results, err := s.perRecord(ctx, a, crmguard.PermManageUsers, len(ins), func(tx crmguard.Store, i int) error {
		var err error
		ids[i], err = s.addGroup(ctx, tx, a, ins[i])
		return err
	})
	return ids, results, err
}

// addGroup adds one record; the ID is 0 unless it was added.
func (s *Service) addGroup(ctx context.Context, tx crmguard.Store, a crmguard.Actor, in UserGroupInput) (crmguard.ID, error) {
	switch {
	case in.Name == nil:
		return 0, recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "name", nil)
	case !in.HasSources:
		return 0, recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "sources", nil)
	}
	now := s.Now()
	g := &crmguard.UserGroup{OrgID: a.OrgID, CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
	if err := s.applyGroup(ctx, tx, a.OrgID, in, g); err != nil {
		return 0, err
	}
	g.ID = s.ids.New()
	if err := tx.CreateUserGroup(ctx, g); errors.Is(err, crmguard.ErrConflict) {
		return 0, recordErr(crmguard.CodeDuplicateData, "duplicate data", "name", nil)
	} else if err != nil {
		return 0, err
	}
	return g.ID, s.audit(ctx, tx, a, "user_group.add", "user_group", g.ID, nil, groupAudit(g))
}

// UpdateUserGroups applies PUT /settings/user_groups records in order, each
// all or nothing.
func (s *Service) UpdateUserGroups(ctx context.Context, a crmguard.Actor, ins []UserGroupInput) ([]error, error) {
	return s.perRecord(ctx, a, crmguard.PermManageUsers, len(ins), func(tx crmguard.Store, i int) error {
		return s.updateGroup(ctx, tx, a, ins[i])
	})
}

func (s *Service) updateGroup(ctx context.Context, tx crmguard.Store, a crmguard.Actor, in UserGroupInput) error {
	if !in.HasID {
		return recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "id", nil)
	}
	g, err := tx.GetUserGroup(ctx, a.OrgID, in.ID)
	if errors.Is(err, crmguard.ErrNotFound) || in.ID == 0 {
		return recordErr(crmguard.CodeInvalidData, "invalid data", "id", nil)
	} else if err != nil {
		return err
	}
	before := groupAudit(g)
	if err := s.applyGroup(ctx, tx, a.OrgID, in, g); err != nil {
		return err
	}
	g.ModifiedBy, g.ModifiedTime = a.UserID, s.Now()
	if err := tx.UpdateUserGroup(ctx, g); errors.Is(err, crmguard.ErrConflict) {
		return recordErr(crmguard.CodeDuplicateData, "duplicate data", "name", nil)
	} else if err != nil {
		return err
	}
	return s.audit(ctx, tx, a, "user_group.update", "user_group", g.ID, before, groupAudit(g))
}

// DeleteUserGroup deletes a group and its sources.
func (s *Service) DeleteUserGroup(ctx context.Context, a crmguard.Actor, id crmguard.ID) error {
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		g, err := tx.GetUserGroup(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) {
			return ErrInvalidGroupID
		} else if err != nil {
			return err
		}
		if err := tx.DeleteUserGroup(ctx, a.OrgID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user_group.delete", "user_group", id, groupAudit(g), nil)
	})
}

// ListUserGroups lists the org's groups, oldest first.
func (s *Service) ListUserGroups(ctx context.Context, org crmguard.ID) ([]*crmguard.UserGroup, error) {
	return s.store.ListUserGroups(ctx, org)
}

// GetUserGroup returns one group; a missing one is ErrInvalidGroupID.
func (s *Service) GetUserGroup(ctx context.Context, org, id crmguard.ID) (*crmguard.UserGroup, error) {
	g, err := s.store.GetUserGroup(ctx, org, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInvalidGroupID
	}
	return g, err
}

// GroupsOfUser lists the groups a user belongs to: named as a user, or
// through a role source naming the user's role, or a role above it with
// subordinates. A missing user is ErrInvalidUserID.
func (s *Service) GroupsOfUser(ctx context.Context, org, user crmguard.ID) ([]*crmguard.UserGroup, error) {
	u, err := s.store.GetUser(ctx, org, user)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInvalidUserID
	} else if err != nil {
		return nil, err
	}
	groups, err := s.store.ListUserGroups(ctx, org)
	if err != nil {
		return nil, err
	}
	roles, err := s.store.ListRoles(ctx, org)
	if err != nil {
		return nil, err
	}
	tree := access.NewRoleTree(roles)
	var out []*crmguard.UserGroup
	for _, g := range groups {
		for _, src := range g.Sources {
			if src.Type == crmguard.GroupSourceUsers && src.ID == u.ID ||
				src.Type == crmguard.GroupSourceRoles && (src.ID == u.RoleID || src.Subordinates && tree.Under(u.RoleID, src.ID)) {
				out = append(out, g)
				break
			}
		}
	}
	return out, nil
}

// GroupByRef finds a group by ID or name (any case).
func (s *Service) GroupByRef(ctx context.Context, org crmguard.ID, ref string) (*crmguard.UserGroup, error) {
	if id, ok := crmguard.ParseID(ref); ok {
		return s.GetUserGroup(ctx, org, id)
	}
	gs, err := s.store.ListUserGroups(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if strings.EqualFold(g.Name, ref) {
			return g, nil
		}
	}
	return nil, crmguard.NewError(crmguard.CodeInvalidData, "no user group has this name or ID", crmguard.Details{"group": ref})
}
