package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// BootstrapOptions describe the org made on first start.
type BootstrapOptions struct {
	CompanyName  string
	AdminEmail   string
	AdminFirst   string
	AdminLast    string
	TimeZone     string
	Edition      string
	LicenseUsers int
	// AdminPassword, when set, is the admin's password, kept (no change
	// asked at first sign-in): headless set-ups ('crmguard init' in CI)
	// choose it. Empty: a generated one-time password.
	AdminPassword string
}

// Bootstrapped is what first start reports: the admin's one-time password
// (empty when BootstrapOptions chose one) and the Self Client's secret
// exist only here, never in storage.
type Bootstrapped struct {
	Org           *crmguard.Org
	Admin         *crmguard.User
	AdminPassword string
	SelfClient    *crmguard.Client
	ClientSecret  string
}

// EnsureOrg returns nil if an org exists already, after recording any
// system fields it lacks (EnsureSystemFields); else it creates one with the
// built-in profiles and roles, the system fields, a primary-contact admin
// and a Self Client.
func (s *Service) EnsureOrg(ctx context.Context, opt BootstrapOptions) (*Bootstrapped, error) {
	if _, err := s.DefaultOrg(ctx); err == nil {
		return nil, s.EnsureSystemFields(ctx)
	} else if !errors.Is(err, crmguard.ErrNotFound) {
		return nil, err
	}
	if opt.CompanyName == "" {
		opt.CompanyName = "crmguard"
	}
	if opt.AdminEmail == "" {
		opt.AdminEmail = "admin@example.com"
	}
	if opt.AdminFirst == "" && opt.AdminLast == "" {
		opt.AdminFirst, opt.AdminLast = "Org", "Admin"
	}
	if opt.TimeZone == "" {
		opt.TimeZone = "UTC"
	}
	if opt.Edition == "" {
		opt.Edition = crmguard.EditionEnterprise
	}
	if opt.LicenseUsers == 0 {
		opt.LicenseUsers = 100
	}
	now := s.Now()
	org := &crmguard.Org{
		ID: s.ids.New(), CompanyName: opt.CompanyName, PrimaryEmail: opt.AdminEmail,
		Country: "United States", CountryCode: "US", Currency: "US Dollar - USD", CurrencySymbol: "$",
		CurrencyLocale: "en_US", ISOCode: "USD", TimeZone: opt.TimeZone, Type: "production",
		Edition: opt.Edition, LicenseUsers: opt.LicenseUsers, Paid: true, CreatedTime: now, ModifiedTime: now,
	}
	org.DomainName = "org" + org.ID.String()[10:]
	password, mustChange := opt.AdminPassword, opt.AdminPassword == ""
	if mustChange {
		p, err := s.randomPassword()
		if err != nil {
			return nil, err
		}
		password = p
	} else if n := utf8.RuneCountInString(password); n < minPassword || len(password) > maxPassword {
		return nil, crmguard.NewError(crmguard.CodeInvalidData,
			fmt.Sprintf("The password must have at least %d characters and at most %d bytes.", minPassword, maxPassword),
			crmguard.Details{"api_name": "password"})
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return nil, err
	}
	out := &Bootstrapped{Org: org}
	if mustChange {
		out.AdminPassword = password
	}
	actor := crmguard.Actor{OrgID: org.ID, Source: crmguard.SourceSystem}
	err = s.write(ctx, func(tx crmguard.Store) error {
		if err := tx.CreateOrg(ctx, org); err != nil {
			return err
		}
		perms := make([]crmguard.Permission, len(crmguard.Catalogue))
		for i, d := range crmguard.Catalogue {
			perms[i] = crmguard.Permission{ID: s.ids.New(), OrgID: org.ID, Index: d.Index}
		}
		if err := tx.CreatePermissions(ctx, perms); err != nil {
			return err
		}
		if err := s.ensureFields(ctx, tx, org.ID); err != nil {
			return err
		}
		admin := &crmguard.Profile{ID: s.ids.New(), OrgID: org.ID, Name: crmguard.ProfileAdministrator,
			DisplayLabel: crmguard.ProfileAdministrator, Type: crmguard.ProfileNormal,
			Description: "This profile will have all the permissions. Users with Administrator profile will be able to view and manage all the data within the organization account by default.",
			Permissions: crmguard.AllPermissions(), CreatedTime: now, ModifiedTime: now}
		std := &crmguard.Profile{ID: s.ids.New(), OrgID: org.ID, Name: crmguard.ProfileStandard,
			DisplayLabel: crmguard.ProfileStandard, Type: crmguard.ProfileNormal, Default: true,
			Description: "This profile will have all the permissions except administrative privileges.",
			Permissions: crmguard.StandardPermissions(), CreatedTime: now, ModifiedTime: now}
		ceo := &crmguard.Role{ID: s.ids.New(), OrgID: org.ID, Name: "CEO", DisplayLabel: "CEO",
			ShareWithPeer: true, AdminUser: true, CreatedTime: now, ModifiedTime: now}
		mgr := &crmguard.Role{ID: s.ids.New(), OrgID: org.ID, Name: "Manager", DisplayLabel: "Manager",
			ReportingTo: ceo.ID, CreatedTime: now, ModifiedTime: now}
		for _, p := range []*crmguard.Profile{admin, std} {
			if err := tx.CreateProfile(ctx, p); err != nil {
				return err
			}
		}
		for _, r := range []*crmguard.Role{ceo, mgr} {
			if err := tx.CreateRole(ctx, r); err != nil {
				return err
			}
		}
		user := &crmguard.User{ID: s.ids.New(), OrgID: org.ID, Email: opt.AdminEmail, FirstName: opt.AdminFirst,
			LastName: opt.AdminLast, RoleID: ceo.ID, ProfileID: admin.ID, Status: crmguard.UserActive,
			Confirmed: true, TimeZone: opt.TimeZone, Locale: "en_US", PasswordHash: hash,
			MustChangePassword: mustChange, CreatedTime: now, ModifiedTime: now}
		// The first user is created and modified by itself, as Zoho's
		// Users API samples show it (created_by and Modified_By naming the
		// user itself, https://www.zoho.com/crm/developer/docs/api/v8/get-users.html).
		user.CreatedBy, user.ModifiedBy = user.ID, user.ID
		if err := tx.CreateUser(ctx, user); err != nil {
			return err
		}
		org.PrimaryUserID = user.ID
		if err := tx.UpdateOrg(ctx, org); err != nil {
			return err
		}
		out.Admin = user
		actor.UserID = user.ID
		if err := s.audit(ctx, tx, actor, "org.bootstrap", "org", org.ID, nil, orgAudit(org)); err != nil {
			return err
		}
		out.SelfClient, out.ClientSecret, err = s.createClient(ctx, tx, actor, "Self Client", crmguard.ClientSelf, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bootstrap org: %w", err)
	}
	return out, nil
}

func orgAudit(o *crmguard.Org) map[string]any {
	return map[string]any{"id": o.ID, "company_name": o.CompanyName, "edition": o.Edition,
		"license_users": o.LicenseUsers, "primary_email": o.PrimaryEmail}
}

// randomPassword makes a 20-character one-time password.
func (s *Service) randomPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	if err := s.random(b); err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String(), nil
}
