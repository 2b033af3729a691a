package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// Limits and messages of the Profiles API (the brief, seeds/003, and
// zoho-api.md §3).
const (
	maxProfileName = 50
	maxProfileDesc = 250

	msgProfileID        = "the id given seems to be invalid or already deleted"
	msgCloneNoPerm      = "You do not have permission to create a profile"
	msgProfileDuplicate = "The profile you are trying to create already exists"
	msgProfileCreated   = "profile created successfully"
)

// ErrInvalidProfileID answers a profile ID that names no profile of the org.
var ErrInvalidProfileID = crmguard.NewError(crmguard.CodeInvalidData, msgProfileID, crmguard.Details{})

// GetProfile returns one profile; a missing one is INVALID_DATA.
func (s *Service) GetProfile(ctx context.Context, org, id crmguard.ID) (*crmguard.Profile, error) {
	return profileIn(ctx, s.store, org, id)
}

// profileIn reads a profile through st (a transaction or the store),
// answering a missing one with INVALID_DATA.
func profileIn(ctx context.Context, st crmguard.Store, org, id crmguard.ID) (*crmguard.Profile, error) {
	p, err := st.GetProfile(ctx, org, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInvalidProfileID
	}
	return p, err
}

// PermissionIDs returns the org's permission IDs by catalogue index.
func (s *Service) PermissionIDs(ctx context.Context, org crmguard.ID) ([]crmguard.ID, error) {
	perms, err := s.store.ListPermissions(ctx, org)
	if err != nil {
		return nil, err
	}
	ids := make([]crmguard.ID, len(crmguard.Catalogue))
	for _, p := range perms {
		if p.Index >= 0 && p.Index < len(ids) {
			ids[p.Index] = p.ID
		}
	}
	return ids, nil
}

// ProfileInput is the body of a clone or an update. Nil fields are absent.
type ProfileInput struct {
	Name        *string
	Description *string
	// Permissions are {id, enabled} changes (update only), validated by
	// the caller's decoder for shape; IDs are checked here.
	Permissions []PermissionChange
}

// PermissionChange turns one permission, by its per-org ID, on or off.
type PermissionChange struct {
	ID      crmguard.ID
	Enabled bool
	Path    string // JSON path of the item, for errors
}

func profileField(code, msg, api string, more crmguard.Details) *crmguard.Error {
	d := crmguard.Details{"api_name": api, "json_path": "$.profiles[0]." + api}
	for k, v := range more {
		d[k] = v
	}
	return crmguard.NewError(code, msg, d)
}

// checkProfileText validates name and description: clean text, lengths.
func checkProfileText(in ProfileInput) error {
	if in.Name != nil && !cleanText(*in.Name) {
		return profileField(crmguard.CodeInvalidData, "invalid data", "name", crmguard.Details{"expected_data_type": "text"})
	}
	if in.Description != nil && !cleanText(*in.Description) {
		return profileField(crmguard.CodeInvalidData, "invalid data", "description", crmguard.Details{"expected_data_type": "text"})
	}
	if in.Name != nil {
		n := utf8.RuneCountInString(strings.TrimSpace(*in.Name))
		if n == 0 {
			return profileField(crmguard.CodeMandatoryNotFound, "required field not found", "name", nil)
		}
		if n > maxProfileName {
			return profileField(crmguard.CodeInvalidData, "invalid data", "name", crmguard.Details{"maximum_length": maxProfileName})
		}
	}
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > maxProfileDesc {
		return profileField(crmguard.CodeInvalidData, "invalid data", "description", crmguard.Details{"maximum_length": maxProfileDesc})
	}
	return nil
}

// profileAudit is the audited form of a profile.
func profileAudit(p *crmguard.Profile) map[string]any {
	return map[string]any{"id": p.ID, "name": p.Name, "description": p.Description, "permissions": enabledNames(p.Permissions)}
}

// CloneProfile makes a profile from source with its permissions: the only
// way Zoho creates profiles. Names are unique per org in any case; an org
// has at most MaxProfiles.
func (s *Service) CloneProfile(ctx context.Context, a crmguard.Actor, source crmguard.ID, in ProfileInput) (*crmguard.Profile, error) {
	var out *crmguard.Profile
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageProfiles); err != nil {
			e, _ := crmguard.AsError(err)
			if e != nil && e.Code == crmguard.CodeNoPermission {
				return crmguard.NewError(crmguard.CodeNoPermission, msgCloneNoPerm, e.Details)
			}
			return err
		}
		src, err := profileIn(ctx, tx, a.OrgID, source)
		if err != nil {
			return err
		}
		if in.Name == nil {
			return profileField(crmguard.CodeMandatoryNotFound, "required field not found", "name", nil)
		}
		if err := checkProfileText(in); err != nil {
			return err
		}
		name := strings.TrimSpace(*in.Name)
		if dup, err := tx.GetProfileByName(ctx, a.OrgID, name); err == nil {
			e := profileField(crmguard.CodeDuplicateData, msgProfileDuplicate, "name", crmguard.Details{"id": dup.ID.String()})
			e.Status = http.StatusNotFound
			return e
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		all, err := tx.ListProfiles(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if len(all) >= s.cfg.MaxProfiles {
			return crmguard.NewError(crmguard.CodeProfileLimitExceeded,
				fmt.Sprintf("You can have a maximum of %d profiles for your org", s.cfg.MaxProfiles), crmguard.Details{"limit": s.cfg.MaxProfiles})
		}
		now := s.Now()
		p := &crmguard.Profile{ID: s.ids.New(), OrgID: a.OrgID, Name: name, DisplayLabel: name, Type: src.Type,
			Custom: true, Permissions: src.Permissions, CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
		if in.Description != nil {
			p.Description = *in.Description
		}
		if err := tx.CreateProfile(ctx, p); errors.Is(err, crmguard.ErrConflict) {
			e := profileField(crmguard.CodeDuplicateData, msgProfileDuplicate, "name", nil)
			e.Status = http.StatusNotFound
			return e
		} else if err != nil {
			return err
		}
		out = p
		after := profileAudit(p)
		after["cloned_from"] = src.ID
		return s.audit(ctx, tx, a, "profile.clone", "profile", p.ID, nil, after)
	})
	return out, err
}

// UpdateProfile renames a profile or turns permissions on and off, by
// permission ID; all of it applies or none. Administrator cannot be edited.
func (s *Service) UpdateProfile(ctx context.Context, a crmguard.Actor, id crmguard.ID, in ProfileInput) (*crmguard.Profile, error) {
	var out *crmguard.Profile
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageProfiles); err != nil {
			return err
		}
		p, err := profileIn(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		if p.IsAdministrator() {
			return crmguard.NewError(crmguard.CodeInvalidData, "The Administrator profile cannot be edited", crmguard.Details{"id": p.ID.String()})
		}
		if err := checkProfileText(in); err != nil {
			return err
		}
		before := profileAudit(p)
		if in.Name != nil {
			name := strings.TrimSpace(*in.Name)
			if !strings.EqualFold(name, p.Name) {
				if dup, err := tx.GetProfileByName(ctx, a.OrgID, name); err == nil {
					return profileField(crmguard.CodeDuplicateData, "duplicate data", "name", crmguard.Details{"id": dup.ID.String()})
				} else if !errors.Is(err, crmguard.ErrNotFound) {
					return err
				}
			}
			p.Name, p.DisplayLabel = name, name
		}
		if in.Description != nil {
			p.Description = *in.Description
		}
		if len(in.Permissions) > 0 {
			ids, err := s.PermissionIDs(ctx, a.OrgID)
			if err != nil {
				return err
			}
			index := make(map[crmguard.ID]int, len(ids))
			for i, pid := range ids {
				index[pid] = i
			}
			for _, c := range in.Permissions {
				i, ok := index[c.ID]
				if !ok {
					return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{
						"api_name": "id", "json_path": c.Path + ".id", "id": c.ID.String()})
				}
				p.Permissions.Set(i, c.Enabled)
			}
		}
		p.ModifiedBy, p.ModifiedTime = a.UserID, s.Now()
		if err := tx.UpdateProfile(ctx, p); errors.Is(err, crmguard.ErrConflict) {
			return profileField(crmguard.CodeDuplicateData, "duplicate data", "name", nil)
		} else if err != nil {
			return err
		}
		out = p
		return s.audit(ctx, tx, a, "profile.update", "profile", p.ID, before, profileAudit(p))
	})
	return out, err
}

// DeleteProfile moves the profile's users to transferTo, then deletes it.
// Built-in profiles cannot be deleted; nor can a profile IP rules name
// (removing it would lift their restriction).
func (s *Service) DeleteProfile(ctx context.Context, a crmguard.Actor, id, transferTo crmguard.ID) error {
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageProfiles); err != nil {
			return err
		}
		p, err := profileIn(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		if !p.Custom {
			return crmguard.NewError(crmguard.CodeInvalidData, "The built-in "+p.Name+" profile cannot be deleted", crmguard.Details{"id": p.ID.String()})
		}
		to, err := tx.GetProfile(ctx, a.OrgID, transferTo)
		if errors.Is(err, crmguard.ErrNotFound) || (err == nil && to.ID == p.ID) {
			return crmguard.NewError(crmguard.CodeInvalidData, msgProfileID, crmguard.Details{"param_name": "transfer_to", "param": transferTo.String()})
		} else if err != nil {
			return err
		}
		if to.IsAdministrator() {
			// Moving users to Administrator gives them the profile: only an
			// administrator may (else Manage_Profiles would be a way in).
			if ok, err := s.actorIsAdmin(ctx, tx, a); err != nil {
				return err
			} else if !ok {
				return crmguard.NewError(crmguard.CodeNoPermission, msgAdminOnly, crmguard.Details{"param_name": "transfer_to", "param": transferTo.String()})
			}
		}
		rules, err := tx.ListIPRules(ctx, a.OrgID)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if r.AppliesTo == crmguard.IPRuleProfile && r.TargetID == p.ID {
				return crmguard.NewError(crmguard.CodeInvalidData, "IP rules apply to this profile: remove them first", crmguard.Details{"id": p.ID.String(), "ip_rule": r.ID.String()})
			}
		}
		moved, err := tx.ReassignProfile(ctx, a.OrgID, p.ID, to.ID, a.UserID, s.Now())
		if err != nil {
			return err
		}
		if err := tx.DeleteProfile(ctx, a.OrgID, p.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "profile.delete", "profile", p.ID, profileAudit(p),
			map[string]any{"transfer_to": to.ID, "users_moved": moved})
	})
}
