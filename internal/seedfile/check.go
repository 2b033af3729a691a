package seedfile

import "strings"

// Existing is what the org holds already, for resolving references. Names
// are lower-cased (profile, role and field names are unique in any case in
// Zoho CRM); client ids are exact.
type Existing struct {
	Profiles map[string]bool
	// Roles maps each role to the role it reports to ("" for the top).
	Roles   map[string]string
	Clients map[string]bool
	// Fields holds the API names a user's fields may set: the writable
	// optional system fields and the custom fields.
	Fields map[string]bool
	// User reports whether a user has this e-mail (any case).
	User func(email string) (bool, error)
}

func low(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Check resolves every reference of the document against the org and the
// document itself, and checks what depends on the org: a new user's
// mandatory keys, and a role tree without cycles once the file's reporting
// lines apply. Each unresolved name is reported at the line that names it.
func (doc *Document) Check(have Existing) error {
	var errs Errors
	add := func(at Pos, format string, args ...any) { errs = append(errs, Errorf(at, format, args...)) }

	profiles := map[string]bool{}
	for k := range have.Profiles {
		profiles[k] = true
	}
	for _, p := range doc.Profiles {
		// A clone's source must exist before it: profiles apply in order.
		if p.CloneOf != nil && !profiles[low(p.CloneOf.Name)] {
			add(p.CloneOf.Pos, "profile %q: clone_of %q is not a profile of the org or an earlier one of this file", p.Name, p.CloneOf.Name)
		}
		profiles[low(p.Name)] = true
	}

	parent := map[string]string{}
	for k, v := range have.Roles {
		parent[k] = v
	}
	top := ""
	for k, v := range have.Roles {
		if v == "" {
			top = k
		}
	}
	for _, r := range doc.Roles {
		if _, ok := parent[low(r.Name)]; !ok {
			parent[low(r.Name)] = top // a new role without reporting_to
		}
	}
	for _, r := range doc.Roles {
		if r.ReportingTo == nil {
			continue
		}
		if _, ok := parent[low(r.ReportingTo.Name)]; !ok {
			add(r.ReportingTo.Pos, "role %q: reporting_to %q is not a role of the org or of this file", r.Name, r.ReportingTo.Name)
			continue
		}
		parent[low(r.Name)] = low(r.ReportingTo.Name)
	}
	for _, r := range doc.Roles {
		seen := map[string]bool{}
		for at := low(r.Name); at != ""; at = parent[at] {
			if seen[at] {
				add(r.Pos, "role %q: the reporting lines make a circle", r.Name)
				break
			}
			seen[at] = true
		}
	}

	fields := map[string]bool{}
	for k := range have.Fields {
		fields[k] = true
	}
	for _, f := range doc.Fields {
		fields[low(f.APIName)] = true
	}

	users := map[string]bool{}
	for _, u := range doc.Users {
		users[low(u.Email)] = true
		exists := false
		if have.User != nil {
			var err error
			if exists, err = have.User(u.Email); err != nil {
				return err
			}
		}
		if !exists {
			if u.LastName == nil || strings.TrimSpace(*u.LastName) == "" {
				add(u.Pos, "new user %s: last_name is required", u.Email)
			}
			if u.Role == nil {
				add(u.Pos, "new user %s: role is required", u.Email)
			}
			if u.Profile == nil {
				add(u.Pos, "new user %s: profile is required", u.Email)
			}
		}
		if u.Role != nil {
			if _, ok := parent[low(u.Role.Name)]; !ok {
				add(u.Role.Pos, "user %s: role %q is not a role of the org or of this file", u.Email, u.Role.Name)
			}
		}
		if u.Profile != nil && !profiles[low(u.Profile.Name)] {
			add(u.Profile.Pos, "user %s: profile %q is not a profile of the org or of this file", u.Email, u.Profile.Name)
		}
		for _, fv := range u.Fields {
			if !fields[low(fv.APIName)] {
				add(fv.Pos, "user %s: %q is not a field a user may be given (an optional or custom field of the Users module)", u.Email, fv.APIName)
			}
		}
	}

	clients := map[string]bool{}
	for k := range have.Clients {
		clients[k] = true
	}
	for _, c := range doc.Clients {
		clients[c.ClientID] = true
	}
	for _, t := range doc.Tokens {
		if !users[low(t.User.Name)] {
			ok := false
			if have.User != nil {
				var err error
				if ok, err = have.User(t.User.Name); err != nil {
					return err
				}
			}
			if !ok {
				add(t.User.Pos, "token %s: user %q is not a user of the org or of this file", t.Seed, t.User.Name)
			}
		}
		if t.Client != nil && !clients[t.Client.Name] {
			add(t.Client.Pos, "token %s: client %q is not a client of the org or of this file", t.Seed, t.Client.Name)
		}
	}
	if len(errs) > 0 {
		return errs.sorted()
	}
	return nil
}
