package service

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/seedfile"
)

// seedText checks a name or description of a seed entry as the API checks
// them: valid text, not blank when required, within Zoho's length.
func seedText(at seedfile.Pos, what, v string, max int, required bool) error {
	switch {
	case !cleanText(v):
		return seedfile.Errorf(at, "%s must be valid UTF-8 text without NUL characters", what)
	case required && strings.TrimSpace(v) == "":
		return seedfile.Errorf(at, "%s is required", what)
	case utf8.RuneCountInString(v) > max:
		return seedfile.Errorf(at, "%s has more than %d characters", what, max)
	}
	return nil
}

func (ap *seedApply) applyFields(ctx context.Context) error {
	for _, in := range ap.doc.Fields {
		if f := ap.fields[seedKey(in.APIName)]; f != nil {
			typ := CustomFieldTypes[strings.ToLower(in.Type)]
			if !f.Custom || f.Type != typ {
				return seedfile.Errorf(in.Pos, "field %s exists already as a %s field of another type or kind", in.APIName, f.Type)
			}
			ap.res.Fields.Updated++
			continue
		}
		if reservedUserKey[strings.ToLower(in.APIName)] || seedfile.APIName(in.APIName) != in.APIName {
			return seedfile.Errorf(in.Pos, "field: %q cannot be a custom field's API name", in.APIName)
		}
		if err := seedText(in.Pos, "a field's label", in.Label, maxLabel, true); err != nil {
			return err
		}
		typ, ok := CustomFieldTypes[strings.ToLower(in.Type)]
		if !ok {
			return seedfile.Errorf(in.Pos, "field %s: unknown type %q (single-line, multi-line, number, currency, url, email, date, checkbox or picklist)", in.APIName, in.Type)
		}
		f := &crmguard.Field{ID: ap.s.ids.New(), OrgID: ap.org.ID, Module: crmguard.ModuleUsers, APIName: in.APIName,
			Label: strings.TrimSpace(in.Label), Type: typ, Custom: true, Length: in.Length, Decimals: in.Decimals,
			CreatedBy: ap.a.UserID, CreatedTime: ap.now}
		if err := sizeField(f, NewField{Label: in.Label, Type: in.Type, Length: in.Length, Decimals: in.Decimals, PickList: in.PickList}); err != nil {
			return seedfile.Errorf(in.Pos, "field %s: %s", in.APIName, errText(err))
		}
		if err := ap.tx.CreateField(ctx, f); err != nil {
			return seedConflict(err, in.Pos, "field "+in.APIName+": its label or API name is taken")
		}
		ap.fields[seedKey(f.APIName)] = f
		ap.res.Fields.Created++
	}
	return nil
}

// seedConflict turns the store's conflict into an error at the entry.
func seedConflict(err error, at seedfile.Pos, msg string) error {
	if errors.Is(err, crmguard.ErrConflict) {
		return seedfile.Errorf(at, "%s", msg)
	}
	return err
}

func (ap *seedApply) applyProfiles(ctx context.Context) error {
	apiIdx, _ := crmguard.PermissionIndex(crmguard.PermAPIAccess)
	for _, in := range ap.doc.Profiles {
		name := strings.TrimSpace(in.Name)
		if err := seedText(in.Pos, "a profile's name", name, maxProfileName, true); err != nil {
			return err
		}
		p := ap.profiles[seedKey(name)]
		base := ap.profiles[seedKey(crmguard.ProfileStandard)]
		if in.CloneOf != nil {
			base = ap.profiles[seedKey(in.CloneOf.Name)]
		} else if p != nil {
			base = p
		}
		if base == nil {
			return seedfile.Errorf(in.Pos, "profile %q: the org has no Standard profile to clone; name one with clone_of", name)
		}
		perms := base.Permissions
		if in.APIAccess != nil {
			perms.Set(apiIdx, *in.APIAccess)
		}
		for _, pm := range in.Permissions {
			i, _ := crmguard.PermissionIndex(pm.Name)
			perms.Set(i, pm.Enabled)
		}
		if in.Description != nil {
			if err := seedText(in.Pos, "a profile's description", *in.Description, maxProfileDesc, false); err != nil {
				return err
			}
		}
		if p != nil {
			if p.IsAdministrator() {
				return seedfile.Errorf(in.Pos, "the Administrator profile cannot be changed")
			}
			p.Permissions = perms
			if in.Description != nil {
				p.Description = *in.Description
			}
			p.ModifiedBy, p.ModifiedTime = ap.a.UserID, ap.now
			if err := ap.tx.UpdateProfile(ctx, p); err != nil {
				return err
			}
			ap.res.Profiles.Updated++
			continue
		}
		if len(ap.profiles) >= ap.s.cfg.MaxProfiles {
			return seedfile.Errorf(in.Pos, "profile %q: the org has its %d profiles already", name, ap.s.cfg.MaxProfiles)
		}
		p = &crmguard.Profile{ID: ap.s.ids.New(), OrgID: ap.org.ID, Name: name, DisplayLabel: name, Type: crmguard.ProfileNormal,
			Custom: true, Permissions: perms, CreatedBy: ap.a.UserID, ModifiedBy: ap.a.UserID, CreatedTime: ap.now, ModifiedTime: ap.now}
		if in.Description != nil {
			p.Description = *in.Description
		}
		if err := ap.tx.CreateProfile(ctx, p); err != nil {
			return seedConflict(err, in.Pos, "profile "+name+" exists already")
		}
		ap.profiles[seedKey(name)] = p
		ap.res.Profiles.Created++
	}
	return nil
}

// applyRoles makes the new roles first, parents before children (Check has
// ruled out circles), then sets the reporting lines of those that existed.
func (ap *seedApply) applyRoles(ctx context.Context) error {
	var top *crmguard.Role
	for _, r := range ap.roles {
		if r.ReportingTo == 0 {
			top = r
		}
	}
	ins := ap.doc.Roles
	byName := map[string]*seedfile.Role{}
	for i := range ins {
		byName[seedKey(ins[i].Name)] = &ins[i]
		if err := seedText(ins[i].Pos, "a role's name", strings.TrimSpace(ins[i].Name), maxRoleName, true); err != nil {
			return err
		}
		if d := ins[i].Description; d != nil {
			if err := seedText(ins[i].Pos, "a role's description", *d, maxRoleDesc, false); err != nil {
				return err
			}
		}
	}
	// depth counts the file's new roles above a role, so that sorting by it
	// puts every parent first.
	depth := func(in *seedfile.Role) int {
		n := 0
		for in.ReportingTo != nil && ap.roles[seedKey(in.ReportingTo.Name)] == nil && n <= len(ins) {
			in = byName[seedKey(in.ReportingTo.Name)]
			n++
		}
		return n
	}
	var fresh []*seedfile.Role
	for i := range ins {
		if ap.roles[seedKey(ins[i].Name)] == nil {
			fresh = append(fresh, &ins[i])
		}
	}
	sort.SliceStable(fresh, func(i, j int) bool { return depth(fresh[i]) < depth(fresh[j]) })
	created := map[string]bool{}
	for _, in := range fresh {
		name := strings.TrimSpace(in.Name)
		r := &crmguard.Role{ID: ap.s.ids.New(), OrgID: ap.org.ID, Name: name, DisplayLabel: name,
			CreatedBy: ap.a.UserID, ModifiedBy: ap.a.UserID, CreatedTime: ap.now, ModifiedTime: ap.now}
		switch {
		case in.ReportingTo != nil:
			r.ReportingTo = ap.roles[seedKey(in.ReportingTo.Name)].ID
		case top != nil:
			r.ReportingTo = top.ID
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.ShareWithPeer != nil {
			r.ShareWithPeer = *in.ShareWithPeer
		}
		if err := ap.tx.CreateRole(ctx, r); err != nil {
			return seedConflict(err, in.Pos, "role "+name+" exists already")
		}
		ap.roles[seedKey(name)] = r
		created[seedKey(name)] = true
		ap.res.Roles.Created++
	}
	for i := range ins {
		in := &ins[i]
		if created[seedKey(in.Name)] {
			continue
		}
		r := ap.roles[seedKey(in.Name)]
		if in.ReportingTo != nil {
			r.ReportingTo = ap.roles[seedKey(in.ReportingTo.Name)].ID
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.ShareWithPeer != nil {
			r.ShareWithPeer = *in.ShareWithPeer
		}
		r.ModifiedBy, r.ModifiedTime = ap.a.UserID, ap.now
		if err := ap.tx.UpdateRole(ctx, r); err != nil {
			return err
		}
		ap.res.Roles.Updated++
	}
	return nil
}

// applyUsers makes new users in one batch and updates the others; then it
// raises the licence count if the active users no longer fit, as SeedUsers
// does: a seed file says which users exist, and refusing it for a licence
// number the file cannot set would only get in the way.
func (ap *seedApply) applyUsers(ctx context.Context) error {
	var fresh []*crmguard.User
	for i, in := range ap.doc.Users {
		email := strings.TrimSpace(in.Email)
		if !validEmail(email) || len(email) > 100 {
			return seedfile.Errorf(in.Pos, "user %q: not a valid e-mail address", in.Email)
		}
		u, err := ap.user(ctx, email)
		if err != nil {
			return err
		}
		isNew := u == nil
		if isNew {
			u = &crmguard.User{ID: ap.s.ids.New(), OrgID: ap.org.ID, Email: email, Status: crmguard.UserActive, Confirmed: true,
				TimeZone: ap.org.TimeZone, Locale: "en_US", CreatedBy: ap.a.UserID, CreatedTime: ap.now}
		}
		for _, name := range []struct {
			api string
			v   *string
			dst *string
		}{{"first_name", in.FirstName, &u.FirstName}, {"last_name", in.LastName, &u.LastName}} {
			if name.v == nil {
				continue
			}
			if err := seedText(in.Pos, "user "+email+": "+name.api, *name.v, 50, name.api == "last_name"); err != nil {
				return err
			}
			*name.dst = strings.TrimSpace(*name.v)
		}
		if in.Role != nil {
			u.RoleID = ap.roles[seedKey(in.Role.Name)].ID
		}
		if in.Profile != nil {
			u.ProfileID = ap.profiles[seedKey(in.Profile.Name)].ID
		}
		if in.Status != nil {
			u.Status = crmguard.UserActive
			if *in.Status == "inactive" {
				u.Status = crmguard.UserDisabled
			}
		}
		if in.Confirmed != nil {
			u.Confirmed = *in.Confirmed
		}
		if h, ok := ap.hashes[i]; ok {
			u.PasswordHash, u.MustChangePassword = h, false
		}
		for _, fv := range in.Fields {
			f := ap.fields[seedKey(fv.APIName)]
			v, err := checkValue(f, fv.Value)
			if err != nil {
				return seedfile.Errorf(fv.Pos, "user %s: field %s: %s", email, fv.APIName, fieldProblem(err))
			}
			if u.Extra == nil {
				u.Extra = map[string]json.RawMessage{}
			}
			if v == nil {
				delete(u.Extra, f.APIName)
			} else {
				u.Extra[f.APIName] = v
			}
		}
		u.ModifiedBy, u.ModifiedTime = ap.a.UserID, ap.now
		if isNew {
			fresh = append(fresh, u)
			ap.users[seedKey(email)] = u
			ap.res.Users.Created++
			continue
		}
		if err := ap.tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		ap.res.Users.Updated++
	}
	if len(fresh) > 0 {
		if err := ap.tx.CreateUsers(ctx, fresh); err != nil {
			return err
		}
	}
	active, err := ap.tx.CountUsers(ctx, ap.org.ID, crmguard.UserActive)
	if err != nil {
		return err
	}
	if active > ap.org.LicenseUsers {
		ap.org.LicenseUsers, ap.org.ModifiedTime = active, ap.now
		if err := ap.tx.UpdateOrg(ctx, ap.org); err != nil {
			return err
		}
		ap.res.LicenseUsers = active
	}
	return nil
}

// fieldProblem says in words why checkValue refused a value.
func fieldProblem(err error) string {
	var ce *crmguard.Error
	if !errors.As(err, &ce) {
		return err.Error()
	}
	if t, ok := ce.Details["expected_data_type"]; ok {
		return "expected a value of type " + toString(t)
	}
	if m, ok := ce.Details["maximum_length"]; ok {
		return "longer than " + toString(m) + " characters"
	}
	return ce.Message
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// audit writes the one seed.apply event: names and counts, never a
// password, a secret or a token.
func (ap *seedApply) audit(ctx context.Context) error {
	names := func(n int, name func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = name(i)
		}
		return out
	}
	d := ap.doc
	var tokens []map[string]any
	for _, t := range ap.res.Tokens {
		tokens = append(tokens, map[string]any{"seed": t.Seed, "kind": t.Kind, "user_id": t.UserID, "client_id": t.ClientID, "scopes": t.Scopes, "existed": t.Existed})
	}
	after := map[string]any{
		"profiles": names(len(d.Profiles), func(i int) string { return d.Profiles[i].Name }),
		"roles":    names(len(d.Roles), func(i int) string { return d.Roles[i].Name }),
		"fields":   names(len(d.Fields), func(i int) string { return d.Fields[i].APIName }),
		"clients":  names(len(d.Clients), func(i int) string { return d.Clients[i].ClientID }),
		"users":    ap.res.Users,
		"tokens":   tokens,
	}
	if ap.res.LicenseUsers > 0 {
		after["license_users"] = ap.res.LicenseUsers
	}
	return ap.s.audit(ctx, ap.tx, ap.a, "seed.apply", "org", ap.org.ID, nil, after)
}
