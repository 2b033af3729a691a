package service

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// Limits and messages of the Profiles API
// (https://www.zoho.com/crm/developer/docs/api/v8/update-profile.html).
const (
	maxProfileName = 50
	maxProfileDesc = 250

	msgProfileID        = "the id given seems to be invalid or already deleted"
	msgCloneNoPerm      = "You do not have permission to create a profile"
	msgProfileDuplicate = "The profile you are trying to create already exists"
	msgProfileCreated   = "profile created successfully"
)

// ProfileInput is a clone or an update of a profile. Nil fields are absent.
type ProfileInput struct {
	Name        *string
	Description *string
	// Permissions turn permissions on or off (update only), in order; all
	// of them apply or none.
	Permissions []PermissionChange
}

// PermissionChange turns one permission on or off: by its per-org ID, as
// the API names permissions, or by its name when ID is 0.
type PermissionChange struct {
	ID      crmguard.ID
	Name    string
	Enabled bool
}

func profileField(code, msg, api string, more crmguard.Details) error {
	return recordErr(code, msg, api, more)
}

// Validate checks name and description: clean text, lengths.
func (in ProfileInput) Validate() error {
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

// enabledNames lists the names of the permissions in a set, sorted.
func enabledNames(ps crmguard.PermSet) []string {
	var out []string
	for i, p := range crmguard.Catalogue {
		if ps.HasIndex(i) {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
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
		if err := in.Validate(); err != nil {
			return err
		}
		name := strings.TrimSpace(*in.Name)
		if dup, err := tx.GetProfileByName(ctx, a.OrgID, name); err == nil {
			return profileField(crmguard.CodeDuplicateData, msgProfileDuplicate, "name", crmguard.Details{"id": dup.ID.String()})
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
			return profileField(crmguard.CodeDuplicateData, msgProfileDuplicate, "name", nil)
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

// UpdateProfile renames a profile, changes its description or turns its
// permissions on and off; all of it applies or none, audited as one
// profile.update. The built-in Administrator profile cannot be edited.
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
		if err := in.Validate(); err != nil {
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
		if err := s.setPermissions(ctx, a.OrgID, p, in.Permissions); err != nil {
			return err
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

// SetProfilePermissions is UpdateProfile by permission names, as the CLI
// and the console name them: each name turned on or off.
func (s *Service) SetProfilePermissions(ctx context.Context, a crmguard.Actor, profile crmguard.ID, changes map[string]bool) (*crmguard.Profile, error) {
	names := make([]string, 0, len(changes))
	for name := range changes {
		names = append(names, name)
	}
	sort.Strings(names)
	in := ProfileInput{Permissions: make([]PermissionChange, len(names))}
	for i, name := range names {
		in.Permissions[i] = PermissionChange{Name: name, Enabled: changes[name]}
	}
	return s.UpdateProfile(ctx, a, profile, in)
}

// setPermissions applies permission changes to p: an unknown ID is
// INVALID_DATA about the item's id, an unknown name INVALID_DATA naming it.
func (s *Service) setPermissions(ctx context.Context, org crmguard.ID, p *crmguard.Profile, changes []PermissionChange) error {
	var index map[crmguard.ID]int // catalogue index by per-org ID, read once
	for n, c := range changes {
		if c.ID == 0 {
			i, ok := crmguard.PermissionIndex(c.Name)
			if !ok {
				return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": "permissions_details", "name": c.Name})
			}
			p.Permissions.Set(i, c.Enabled)
			continue
		}
		if index == nil {
			ids, err := s.PermissionIDs(ctx, org)
			if err != nil {
				return err
			}
			index = make(map[crmguard.ID]int, len(ids))
			for i, pid := range ids {
				index[pid] = i
			}
		}
		i, ok := index[c.ID]
		if !ok {
			e := recordErr(crmguard.CodeInvalidData, "invalid data", "id", crmguard.Details{"id": c.ID.String()})
			e.Parent, e.Index = "permissions_details", n
			return e
		}
		p.Permissions.Set(i, c.Enabled)
	}
	return nil
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
