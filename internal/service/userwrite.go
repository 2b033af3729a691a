package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
)

// Users API messages for the rules of an update, worded as Zoho words its
// own (https://www.zoho.com/crm/developer/docs/api/v8/update-user.html)
// where Zoho has the rule, and in the same manner where crmguard adds one.
const (
	msgDeletedUser     = "Deleted user cannot be updated"
	msgDeactivatedUser = "Deactivated user cannot be updated. Activate the user first."
	msgAlreadyActive   = "User is already active"
	msgAlreadyInactive = "User is already deactivated"
	msgPrimaryInactive = "Primary Contact cannot be deactivated"
	msgPrimaryDelete   = "Primary contact cannot be deleted."
	msgPrimaryProfile  = "The primary contact must keep the Administrator profile"
	msgOtherTimeZone   = "Cannot update the time_zone of another User"
	msgEmailConfirmed  = "Cannot update email of a confirmed CRM User"
	msgOwnProfileRole  = "Profile and Role cannot be Updated by the user."
	msgAlreadyDeleted  = "User is already deleted."
	msgReinvite        = "Re-invite is not allowed for a confirmed user"
	msgResetNotAllowed = "A password reset link is only for a confirmed, active user. Invite a user who is not confirmed."
)

// userAudit is the audited form of a user: everything but secrets.
func userAudit(u *crmguard.User) map[string]any {
	m := map[string]any{"id": u.ID, "email": u.Email, "first_name": u.FirstName, "last_name": u.LastName,
		"role": u.RoleID, "profile": u.ProfileID, "status": u.Status, "confirm": u.Confirmed,
		"time_zone": u.TimeZone, "locale": u.Locale}
	if u.ReportingTo != 0 {
		m["Reporting_To"] = u.ReportingTo
	}
	for k, v := range u.Extra {
		m[k] = v
	}
	return m
}

// checkRefs checks that the role, profile and manager an input names exist
// (the manager active or deactivated, not deleted, and not the user). Only
// ErrNotFound is the client's INVALID_DATA: any other store error is
// returned as it is, an internal error.
func (s *Service) checkRefs(ctx context.Context, tx crmguard.Store, org crmguard.ID, in *UserInput, self crmguard.ID) error {
	if in.Role != nil {
		if _, err := tx.GetRole(ctx, org, *in.Role); errors.Is(err, crmguard.ErrNotFound) {
			return badValue("role", nil)
		} else if err != nil {
			return err
		}
	}
	if in.Profile != nil {
		if _, err := tx.GetProfile(ctx, org, *in.Profile); errors.Is(err, crmguard.ErrNotFound) {
			return badValue("profile", nil)
		} else if err != nil {
			return err
		}
	}
	if in.ReportingTo != nil && *in.ReportingTo != 0 {
		m, err := tx.GetUser(ctx, org, *in.ReportingTo)
		if errors.Is(err, crmguard.ErrNotFound) || (err == nil && (m.Status == crmguard.UserDeleted || m.ID == self)) {
			return badValue("Reporting_To", nil)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// apply copies a validated input onto a user.
func (in *UserInput) apply(u *crmguard.User) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.FirstName, in.FirstName)
	set(&u.LastName, in.LastName)
	set(&u.Email, in.Email)
	set(&u.TimeZone, in.TimeZone)
	set(&u.Locale, in.Locale)
	if in.Role != nil {
		u.RoleID = *in.Role
	}
	if in.Profile != nil {
		u.ProfileID = *in.Profile
	}
	if in.ReportingTo != nil {
		u.ReportingTo = *in.ReportingTo
	}
	for k, v := range in.Fields {
		if v == nil {
			delete(u.Extra, k)
			continue
		}
		if u.Extra == nil {
			u.Extra = map[string]json.RawMessage{}
		}
		u.Extra[k] = v
	}
}

// licenceLeft fails with LICENSE_LIMIT_EXCEEDED when every licence of the
// org is taken by an active user.
func licenceLeft(ctx context.Context, tx crmguard.Store, org crmguard.ID) error {
	o, err := tx.GetOrg(ctx, org)
	if err != nil {
		return err
	}
	n, err := tx.CountUsers(ctx, org, crmguard.UserActive)
	if err != nil {
		return err
	}
	if n >= o.LicenseUsers {
		return crmguard.NewError(crmguard.CodeLicenseLimitExceeded, msgLicense, crmguard.Details{"limit": o.LicenseUsers})
	}
	return nil
}

// NewUser is an added user and the invitation link to send them.
type NewUser struct {
	User      *crmguard.User
	InviteURL string
}

// AddUser adds one user. The user starts active and not confirmed, with an
// invitation link to set a password; the link is returned to the caller
// only, stored as a hash and never audited.
func (s *Service) AddUser(ctx context.Context, a crmguard.Actor, in UserInput) (*NewUser, error) {
	fields, err := s.cachedFields(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	var out *NewUser
	err = s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		for _, k := range []string{"last_name", "email", "role", "profile"} {
			if in.blank(k) {
				return recordErr(crmguard.CodeMandatoryNotFound, msgMandatory, k, nil)
			}
		}
		if err := in.Validate(fields); err != nil {
			return err
		}
		if err := s.checkRefs(ctx, tx, a.OrgID, &in, 0); err != nil {
			return err
		}
		if in.Profile != nil {
			if err := s.mayGiveProfile(ctx, tx, a, *in.Profile); err != nil {
				return err
			}
		}
		if dup, err := tx.GetUserByEmail(ctx, a.OrgID, *in.Email); err == nil {
			return recordErr(crmguard.CodeDuplicateData, msgDuplicateUser, "email", crmguard.Details{"id": dup.ID.String()})
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
		org, err := tx.GetOrg(ctx, a.OrgID)
		if err != nil {
			return err
		}
		now := s.Now()
		u := &crmguard.User{ID: s.ids.New(), OrgID: a.OrgID, Status: crmguard.UserActive, TimeZone: org.TimeZone,
			Locale: "en_US", CreatedBy: a.UserID, ModifiedBy: a.UserID, CreatedTime: now, ModifiedTime: now}
		in.apply(u)
		if in.Status != nil && *in.Status == "inactive" {
			u.Status = crmguard.UserDisabled
		} else if err := licenceLeft(ctx, tx, a.OrgID); err != nil {
			return err
		}
		token := s.newSecret()
		h := HashToken(token)
		u.InviteHash, u.InviteExpires = h[:], now.Add(s.cfg.InviteTTL)
		if err := tx.CreateUser(ctx, u); errors.Is(err, crmguard.ErrConflict) {
			return recordErr(crmguard.CodeDuplicateData, msgDuplicateUser, "email", nil)
		} else if err != nil {
			return err
		}
		out = &NewUser{User: u, InviteURL: s.inviteURL(token)}
		// The link is a credential: whoever added the user gets it once;
		// the audit log says only that an invitation was made, and until when.
		after := userAudit(u)
		after["invite_expires"] = u.InviteExpires
		return s.audit(ctx, tx, a, "user.add", "user", u.ID, nil, after)
	})
	return out, err
}

func (s *Service) inviteURL(token string) string {
	return strings.TrimSuffix(s.cfg.PublicURL, "/") + "/invite/" + token
}

// UserUpdate is one record of an update: the user and the changes.
type UserUpdate struct {
	ID    crmguard.ID // 0 when not given or malformed
	HasID bool        // an id was given (well-formed or not)
	Input UserInput
}

// UpdateUsers applies records in order, each all or nothing, in
// one transaction. It returns one result per record (nil for success); the
// error is for the request as a whole (e.g. NO_PERMISSION).
func (s *Service) UpdateUsers(ctx context.Context, a crmguard.Actor, ups []UserUpdate) ([]error, error) {
	fields, err := s.cachedFields(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	results := make([]error, len(ups))
	err = s.write(ctx, func(tx crmguard.Store) error {
		admin, err := s.requirePermissionAdmin(ctx, tx, a, crmguard.PermManageUsers)
		if err != nil {
			return err
		}
		org, err := tx.GetOrg(ctx, a.OrgID)
		if err != nil {
			return err
		}
		// What every record needs is read once per request: the actor,
		// its profile, the org, and (for an actor who is not an
		// administrator) whether each target's profile is Administrator.
		rc := &updateReads{admin: admin, org: org, adminProfile: map[crmguard.ID]bool{}}
		for i, up := range ups {
			err := s.updateUser(ctx, tx, a, rc, up, fields)
			if _, ok := crmguard.AsError(err); !ok && err != nil {
				return err
			}
			results[i] = err
		}
		return nil
	})
	return results, err
}

// updateUser applies one record.
func (s *Service) updateUser(ctx context.Context, tx crmguard.Store, a crmguard.Actor, rc *updateReads, up UserUpdate, fields []*crmguard.Field) error {
	admin, org := rc.admin, rc.org
	if !up.HasID {
		return recordErr(crmguard.CodeMandatoryNotFound, msgMandatory, "id", nil)
	}
	invalidID := recordErr(crmguard.CodeInvalidData, msgInvalidID, "id", nil)
	if up.ID == 0 {
		return invalidID
	}
	u, err := tx.GetUser(ctx, a.OrgID, up.ID)
	if errors.Is(err, crmguard.ErrNotFound) {
		return invalidID
	} else if err != nil {
		return err
	}
	if u.Status == crmguard.UserDeleted {
		return recordErr(crmguard.CodeCannotUpdateDeleted, msgDeletedUser, "id", nil)
	}
	if !admin {
		if isAdmin, err := s.isAdminProfile(ctx, tx, a.OrgID, rc, u.ProfileID); err != nil {
			return err
		} else if isAdmin {
			return recordErr(crmguard.CodeNoPermission, msgAdminOnly, "id", nil)
		}
	}
	in := &up.Input
	onlyStatus := len(writableKeys(in.keys())) == 1
	if err := in.Validate(fields); err != nil {
		return err
	}
	primary := u.ID == org.PrimaryUserID
	activate := false
	if in.Status != nil {
		switch {
		case *in.Status == "active" && u.Status == crmguard.UserActive && onlyStatus:
			return recordErr(crmguard.CodeIDAlreadyActive, msgAlreadyActive, "status", nil)
		case *in.Status == "inactive" && u.Status == crmguard.UserDisabled:
			return recordErr(crmguard.CodeIDAlreadyDeactivated, msgAlreadyInactive, "status", nil)
		case *in.Status == "inactive" && primary:
			return recordErr(crmguard.CodeInvalidRequest, msgPrimaryInactive, "status", nil)
		}
		activate = *in.Status == "active" && u.Status == crmguard.UserDisabled
	}
	if u.Status == crmguard.UserDisabled && !activate {
		return recordErr(crmguard.CodeNotAllowed, msgDeactivatedUser, "id", nil)
	}
	if in.TimeZone != nil && *in.TimeZone != u.TimeZone && u.ID != a.UserID {
		return recordErr(crmguard.CodeNotAllowed, msgOtherTimeZone, "time_zone", nil)
	}
	if in.Email != nil && !strings.EqualFold(*in.Email, u.Email) {
		if u.Confirmed {
			return recordErr(crmguard.CodeEmailUpdateNotAllowed, msgEmailConfirmed, "email", nil)
		}
		if dup, err := tx.GetUserByEmail(ctx, a.OrgID, *in.Email); err == nil {
			return recordErr(crmguard.CodeDuplicateData, "duplicate data", "email", crmguard.Details{"id": dup.ID.String()})
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			return err
		}
	}
	roleChange := in.Role != nil && *in.Role != u.RoleID
	profileChange := in.Profile != nil && *in.Profile != u.ProfileID
	if (roleChange || profileChange) && u.ID == a.UserID && a.Source == crmguard.SourceAPI {
		api := "role"
		if profileChange {
			api = "profile"
		}
		return recordErr(crmguard.CodeNotAllowed, msgOwnProfileRole, api, nil)
	}
	if err := s.checkRefs(ctx, tx, a.OrgID, in, u.ID); err != nil {
		return err
	}
	if profileChange && !admin {
		// mayGiveProfile, knowing the actor is no administrator.
		if isAdmin, err := s.isAdminProfile(ctx, tx, a.OrgID, rc, *in.Profile); err != nil {
			return err
		} else if isAdmin {
			return recordErr(crmguard.CodeNoPermission, msgAdminOnly, "profile", nil)
		}
	}
	if profileChange && primary {
		p, err := tx.GetProfile(ctx, a.OrgID, *in.Profile)
		if err != nil {
			return err
		}
		if !p.IsAdministrator() {
			return recordErr(crmguard.CodeInvalidRequest, msgPrimaryProfile, "profile", nil)
		}
	}
	if activate {
		if err := licenceLeft(ctx, tx, a.OrgID); err != nil {
			return err
		}
	}
	before := userAudit(u)
	in.apply(u)
	action := "user.update"
	if in.Status != nil {
		switch {
		case activate:
			u.Status, action = crmguard.UserActive, "user.activate"
		case *in.Status == "inactive":
			u.Status, action = crmguard.UserDisabled, "user.deactivate"
		}
	}
	u.ModifiedBy, u.ModifiedTime = a.UserID, s.Now()
	if err := tx.UpdateUser(ctx, u); errors.Is(err, crmguard.ErrConflict) {
		return recordErr(crmguard.CodeDuplicateData, "duplicate data", "email", nil)
	} else if err != nil {
		return err
	}
	return s.audit(ctx, tx, a, action, "user", u.ID, before, userAudit(u))
}

// writableKeys drops the read-only keys a client may echo back.
func writableKeys(keys []string) []string {
	var out []string
	for _, k := range keys {
		if !ignoredUserKeys[k] {
			out = append(out, k)
		}
	}
	return out
}

// DeleteUser soft-deletes a user and revokes every token of theirs in the
// same transaction. The primary contact cannot be deleted.
func (s *Service) DeleteUser(ctx context.Context, a crmguard.Actor, id crmguard.ID) error {
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) {
			return crmguard.NewError(crmguard.CodeInvalidData, msgInvalidID, crmguard.Details{"id": id.String()})
		} else if err != nil {
			return err
		}
		if u.Status == crmguard.UserDeleted {
			return crmguard.NewError(crmguard.CodeIDAlreadyDeleted, msgAlreadyDeleted, crmguard.Details{"id": id.String()})
		}
		if err := s.requireAdminOver(ctx, tx, a, u); err != nil {
			return err
		}
		org, err := tx.GetOrg(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if u.ID == org.PrimaryUserID {
			return crmguard.NewError(crmguard.CodeInvalidRequest, msgPrimaryDelete, crmguard.Details{"id": id.String()})
		}
		before := userAudit(u)
		u.Status, u.InviteHash, u.InviteExpires = crmguard.UserDeleted, nil, zeroTime
		u.ModifiedBy, u.ModifiedTime = a.UserID, s.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.RevokeUserTokens(ctx, a.OrgID, u.ID, s.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user.delete", "user", u.ID, before, userAudit(u))
	})
}

var zeroTime = func() (t time.Time) { return }()

// RevokeUserTokens revokes every token of a user at once.
func (s *Service) RevokeUserTokens(ctx context.Context, a crmguard.Actor, id crmguard.ID) error {
	return s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, a.OrgID, id)
		if errors.Is(err, crmguard.ErrNotFound) {
			return ErrInvalidUserID
		} else if err != nil {
			return err
		}
		if err := s.requireAdminOver(ctx, tx, a, u); err != nil {
			return err
		}
		if err := tx.RevokeUserTokens(ctx, a.OrgID, u.ID, s.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "token.revoke_all", "user", u.ID, nil, map[string]any{"email": u.Email})
	})
}
