package service

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// Rules and wording of Zoho's Territories API
// (https://www.zoho.com/crm/developer/docs/api/v8/add-territories.html,
// get-territories.html and delete-territories.html beside it) and of the
// Users Territories API
// (https://www.zoho.com/crm/developer/docs/api/v8/add-update-user-territories.html).
//
// crmguard's permission catalogue has no Manage Territories permission:
// territory writes, and the memberships that change a user, need Manage
// Users, which Zoho's Administrator profile holds as it holds the other.
const (
	maxTerritoryName = 50
	maxTerritoryDesc = 250
	// MaxUserTerritories is how many territories one request may associate
	// with a user.
	MaxUserTerritories = 100

	msgTerritoryID      = "The ID given seems to be invalid or already deleted"
	msgTerritoryRoot    = "The root territory cannot report to another territory"
	msgTerritoryCycle   = "A territory cannot report to itself or to a territory below it"
	msgTerritoryRootDel = "The root territory cannot be deleted"
	msgTerritoryKids    = "The territory has child territories: delete or move them first"
	msgOwnTerritories   = "Logged in users cannot update their own territories"
)

// ErrInvalidTerritoryID answers a territory ID that names no territory.
var ErrInvalidTerritoryID = crmguard.NewError(crmguard.CodeInvalidData, msgTerritoryID, crmguard.Details{})

// TerritoryInput is one record of POST or PUT /settings/territories; nil
// is absent.
type TerritoryInput struct {
	ID             crmguard.ID // updates
	Name           *string
	Description    *string
	ReportingTo    *crmguard.ID
	Manager        *crmguard.ID // 0 clears
	PermissionType *string
}

func territoryAudit(t *crmguard.Territory) map[string]any {
	return map[string]any{"id": t.ID, "name": t.Name, "description": t.Description, "reporting_to": t.ReportingTo,
		"manager": t.Manager, "permission_type": t.PermissionType}
}

// ListTerritories lists the org's territories, oldest (the root) first.
func (s *Service) ListTerritories(ctx context.Context, org crmguard.ID) ([]*crmguard.Territory, error) {
	return s.store.ListTerritories(ctx, org)
}

// GetTerritory returns one territory; a missing one is INVALID_DATA.
func (s *Service) GetTerritory(ctx context.Context, org, id crmguard.ID) (*crmguard.Territory, error) {
	t, err := s.store.GetTerritory(ctx, org, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInvalidTerritoryID
	}
	return t, err
}

// TerritoryByRef finds a territory by ID or name (any case).
func (s *Service) TerritoryByRef(ctx context.Context, org crmguard.ID, ref string) (*crmguard.Territory, error) {
	ts, err := s.store.ListTerritories(ctx, org)
	if err != nil {
		return nil, err
	}
	id, _ := crmguard.ParseID(ref)
	for _, t := range ts {
		if t.ID == id || strings.EqualFold(t.Name, ref) {
			return t, nil
		}
	}
	return nil, crmguard.NewError(crmguard.CodeInvalidData, msgTerritoryID, crmguard.Details{"territory": ref})
}

// parents maps each territory to the one it reports to.
func parents(ts []*crmguard.Territory) map[crmguard.ID]crmguard.ID {
	m := make(map[crmguard.ID]crmguard.ID, len(ts))
	for _, t := range ts {
		m[t.ID] = t.ReportingTo
	}
	return m
}

// under reports whether territory id is top or below it.
func under(tree map[crmguard.ID]crmguard.ID, id, top crmguard.ID) bool {
	for seen := 0; id != 0 && seen <= len(tree); seen++ {
		if id == top {
			return true
		}
		id = tree[id]
	}
	return false
}

// applyTerritory checks one record and copies it onto t.
func (s *Service) applyTerritory(ctx context.Context, tx crmguard.Store, org crmguard.ID, in TerritoryInput, t *crmguard.Territory, all []*crmguard.Territory) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		switch {
		case !cleanText(name):
			return badValue("name", crmguard.Details{"expected_data_type": "text"})
		case name == "":
			return recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "name", nil)
		case utf8.RuneCountInString(name) > maxTerritoryName:
			return badValue("name", crmguard.Details{"maximum_length": maxTerritoryName})
		}
		for _, o := range all {
			if o.ID != t.ID && strings.EqualFold(o.Name, name) {
				return recordErr(crmguard.CodeDuplicateData, "duplicate data", "name", crmguard.Details{"id": o.ID.String()})
			}
		}
		t.Name = name
	}
	if in.Description != nil {
		if !cleanText(*in.Description) {
			return badValue("description", crmguard.Details{"expected_data_type": "text"})
		}
		if utf8.RuneCountInString(*in.Description) > maxTerritoryDesc {
			return badValue("description", crmguard.Details{"maximum_length": maxTerritoryDesc})
		}
		t.Description = *in.Description
	}
	if in.PermissionType != nil {
		if p := *in.PermissionType; p != crmguard.TerritoryReadOnly && p != crmguard.TerritoryReadWriteDelete {
			return badValue("permission_type", crmguard.Details{"supported_values": []string{crmguard.TerritoryReadOnly, crmguard.TerritoryReadWriteDelete}})
		}
		t.PermissionType = *in.PermissionType
	}
	if in.ReportingTo != nil {
		to, tree := *in.ReportingTo, parents(all)
		_, known := tree[to]
		switch {
		case !known:
			return badValue("reporting_to", nil)
		case t.ID != 0 && t.ReportingTo == 0:
			return badValue("reporting_to", crmguard.Details{"reason": msgTerritoryRoot})
		case t.ID != 0 && under(tree, to, t.ID):
			return badValue("reporting_to", crmguard.Details{"reason": msgTerritoryCycle})
		}
		t.ReportingTo = to
	}
	if in.Manager != nil {
		if id := *in.Manager; id != 0 {
			u, err := tx.GetUser(ctx, org, id)
			if errors.Is(err, crmguard.ErrNotFound) || (err == nil && u.Status == crmguard.UserDeleted) {
				return badValue("manager", nil)
			} else if err != nil {
				return err
			}
		}
		t.Manager = *in.Manager
	}
	return nil
}

// AddTerritories adds territories from POST /settings/territories records,
// each all or nothing. The org's first territory is its root and reports
// to none; every later one needs reporting_to, as Zoho's page says.
func (s *Service) AddTerritories(ctx context.Context, a crmguard.Actor, ins []TerritoryInput) ([]crmguard.ID, []error, error) {
	ids := make([]crmguard.ID, len(ins))
	var all []*crmguard.Territory // the org's, with those added so far
	results, err := s.perRecord(ctx, a, crmguard.PermManageUsers, len(ins), func(tx crmguard.Store, i int) error {
		if i == 0 {
			var err error
			if all, err = tx.ListTerritories(ctx, a.OrgID); err != nil {
				return err
			}
		}
		t, err := s.addTerritory(ctx, tx, a, ins[i], all)
		if t != nil {
			ids[i], all = t.ID, append(all, t)
		}
		return err
	})
	return ids, results, err
}

// addTerritory adds one record given the org's territories; the territory
// is nil unless it was added.
func (s *Service) addTerritory(ctx context.Context, tx crmguard.Store, a crmguard.Actor, in TerritoryInput, all []*crmguard.Territory) (*crmguard.Territory, error) {
	switch {
	case in.Name == nil:
		return nil, recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "name", nil)
	case in.ReportingTo == nil && len(all) > 0:
		return nil, recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "reporting_to", nil)
	case in.PermissionType == nil:
		return nil, recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "permission_type", nil)
	}
	now := s.Now()
	t := &crmguard.Territory{OrgID: a.OrgID, CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
	if err := s.applyTerritory(ctx, tx, a.OrgID, in, t, all); err != nil {
		return nil, err
	}
	t.ID = s.ids.New()
	if err := tx.CreateTerritory(ctx, t); errors.Is(err, crmguard.ErrConflict) {
		return nil, recordErr(crmguard.CodeDuplicateData, "duplicate data", "name", nil)
	} else if err != nil {
		return nil, err
	}
	return t, s.audit(ctx, tx, a, "territory.add", "territory", t.ID, nil, territoryAudit(t))
}

// UpdateTerritories applies PUT /settings/territories records in order,
// each all or nothing: the root reports to none, and no territory reports
// to itself or one below it.
func (s *Service) UpdateTerritories(ctx context.Context, a crmguard.Actor, ins []TerritoryInput) ([]error, error) {
	return s.perRecord(ctx, a, crmguard.PermManageUsers, len(ins), func(tx crmguard.Store, i int) error {
		return s.updateTerritory(ctx, tx, a, ins[i])
	})
}

func (s *Service) updateTerritory(ctx context.Context, tx crmguard.Store, a crmguard.Actor, in TerritoryInput) error {
	if in.ID == 0 {
		return recordErr(crmguard.CodeMandatoryNotFound, "required field not found", "id", nil)
	}
	t, err := tx.GetTerritory(ctx, a.OrgID, in.ID)
	if errors.Is(err, crmguard.ErrNotFound) {
		return recordErr(crmguard.CodeInvalidData, msgTerritoryID, "id", nil)
	} else if err != nil {
		return err
	}
	all, err := tx.ListTerritories(ctx, a.OrgID)
	if err != nil {
		return err
	}
	before := territoryAudit(t)
	if err := s.applyTerritory(ctx, tx, a.OrgID, in, t, all); err != nil {
		return err
	}
	t.ModifiedBy, t.ModifiedTime = a.UserID, s.Now()
	if err := tx.UpdateTerritory(ctx, t); errors.Is(err, crmguard.ErrConflict) {
		return recordErr(crmguard.CodeDuplicateData, "duplicate data", "name", nil)
	} else if err != nil {
		return err
	}
	return s.audit(ctx, tx, a, "territory.update", "territory", t.ID, before, territoryAudit(t))
}

// DeleteTerritory deletes a territory and its memberships. The root, and
// a territory others report to, cannot be deleted.
func (s *Service) DeleteTerritory(ctx context.Context, a crmguard.Actor, id crmguard.ID) error {
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		t, err := tx.GetTerritory(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) {
			return ErrInvalidTerritoryID
		} else if err != nil {
			return err
		}
		if t.ReportingTo == 0 {
			return crmguard.NewError(crmguard.CodeNotAllowed, msgTerritoryRootDel, crmguard.Details{"id": t.ID.String()})
		}
		all, err := tx.ListTerritories(ctx, a.OrgID)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.ReportingTo == t.ID {
				return crmguard.NewError(crmguard.CodeNotAllowed, msgTerritoryKids, crmguard.Details{"id": t.ID.String(), "child": o.ID.String()})
			}
		}
		members, err := tx.ListTerritoryUserIDs(ctx, a.OrgID, t.ID)
		if err != nil {
			return err
		}
		if err := tx.DeleteTerritory(ctx, a.OrgID, t.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "territory.delete", "territory", t.ID, territoryAudit(t), map[string]any{"users_removed": len(members)})
	})
}
