package seedfile

import (
	"regexp"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

func (d *decoder) required(at Pos, what, key, value string) bool {
	for _, e := range d.errs {
		if e.Pos == at {
			return false // the entry is wrong already (an alias); say it once
		}
	}
	if strings.TrimSpace(value) == "" {
		d.errs = append(d.errs, Errorf(at, "%s: %s is required", what, key))
		return false
	}
	return true
}

var (
	clientIDPattern = regexp.MustCompile(`^1000\.[A-Z0-9]{30}$`)
	secretPattern   = regexp.MustCompile(`^[\x21-\x7e]{16,128}$`)
)

// checkDocument checks values and names within the document.
func (d *decoder) checkDocument(doc *Document) {
	profiles := map[string]bool{}
	for _, p := range doc.Profiles {
		if !d.required(p.Pos, "a profile", "name", p.Name) {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(p.Name))
		if profiles[key] {
			d.errs = append(d.errs, Errorf(p.Pos, "profile %q is given twice", p.Name))
		}
		profiles[key] = true
		if strings.EqualFold(p.Name, crmguard.ProfileAdministrator) {
			d.errs = append(d.errs, Errorf(p.Pos, "the Administrator profile cannot be changed"))
		}
		for _, perm := range p.Permissions {
			if _, ok := crmguard.PermissionIndex(perm.Name); !ok {
				d.errs = append(d.errs, Errorf(perm.Pos, "unknown permission %q", perm.Name))
			}
		}
	}
	roles := map[string]*Role{}
	for i := range doc.Roles {
		r := &doc.Roles[i]
		if !d.required(r.Pos, "a role", "name", r.Name) {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(r.Name))
		if roles[key] != nil {
			d.errs = append(d.errs, Errorf(r.Pos, "role %q is given twice", r.Name))
		}
		roles[key] = r
		if r.ReportingTo != nil && strings.EqualFold(r.ReportingTo.Name, r.Name) {
			d.errs = append(d.errs, Errorf(r.ReportingTo.Pos, "role %q cannot report to itself", r.Name))
		}
	}
	fields := map[string]bool{}
	for i := range doc.Fields {
		f := &doc.Fields[i]
		if !d.required(f.Pos, "a field", "label", f.Label) || !d.required(f.Pos, "a field", "type", f.Type) {
			continue
		}
		if f.APIName == "" {
			f.APIName = APIName(f.Label)
		}
		key := strings.ToLower(f.APIName)
		if fields[key] {
			d.errs = append(d.errs, Errorf(f.Pos, "field %q is given twice", f.APIName))
		}
		fields[key] = true
	}
	emails := map[string]bool{}
	for _, u := range doc.Users {
		if !d.required(u.Pos, "a user", "email", u.Email) {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(u.Email))
		if emails[key] {
			d.errs = append(d.errs, Errorf(u.Pos, "user %q is given twice", u.Email))
		}
		emails[key] = true
		if u.Status != nil && *u.Status != "active" && *u.Status != "inactive" {
			d.errs = append(d.errs, Errorf(u.Pos, "user %s: status must be active or inactive", u.Email))
		}
	}
	clients := map[string]bool{}
	for _, c := range doc.Clients {
		if !d.required(c.Pos, "a client", "client_id", c.ClientID) || !d.required(c.Pos, "a client", "client_secret", c.Secret) {
			continue
		}
		if !clientIDPattern.MatchString(c.ClientID) {
			d.errs = append(d.errs, Errorf(c.Pos, "client_id %q must be 1000. and 30 upper-case letters or digits, as Zoho's are", c.ClientID))
		}
		if !secretPattern.MatchString(c.Secret) {
			d.errs = append(d.errs, Errorf(c.Pos, "client %s: client_secret must be 16 to 128 printable characters without spaces", c.ClientID))
		}
		switch c.Type {
		case "", crmguard.ClientSelf, crmguard.ClientServer:
		default:
			d.errs = append(d.errs, Errorf(c.Pos, "client %s: type must be %s or %s", c.ClientID, crmguard.ClientServer, crmguard.ClientSelf))
		}
		if clients[c.ClientID] {
			d.errs = append(d.errs, Errorf(c.Pos, "client %s is given twice", c.ClientID))
		}
		clients[c.ClientID] = true
	}
	seeds := map[string]bool{}
	for _, t := range doc.Tokens {
		if !d.required(t.Pos, "a token", "seed", t.Seed) || !d.required(t.Pos, "a token", "user", t.User.Name) {
			continue
		}
		if seeds[t.Seed] {
			d.errs = append(d.errs, Errorf(t.Pos, "token seed %q is given twice", t.Seed))
		}
		seeds[t.Seed] = true
		switch t.Kind {
		case TokenAccess:
		case TokenRefresh:
			if t.ExpiresIn != 0 {
				d.errs = append(d.errs, Errorf(t.Pos, "token %s: a refresh token does not expire; expires_in is for access tokens", t.Seed))
			}
		default:
			d.errs = append(d.errs, Errorf(t.Pos, "token %s: kind must be access or refresh", t.Seed))
		}
		if len(t.Scopes) == 0 {
			d.errs = append(d.errs, Errorf(t.Pos, "token %s: scopes are required", t.Seed))
		}
		for _, sc := range t.Scopes {
			if !access.KnownScope(sc) {
				d.errs = append(d.errs, Errorf(t.Pos, "token %s: unknown scope %q", t.Seed, sc))
			}
		}
	}
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// APIName derives a custom field's API name from its label as Zoho does
// (and `crmguard field add`): "Employee Number" is Employee_Number, and a
// name that would start with a digit gets "Field_" in front.
func APIName(label string) string {
	n := strings.Trim(nonWord.ReplaceAllString(label, "_"), "_")
	if n == "" || (n[0] >= '0' && n[0] <= '9') {
		n = "Field_" + n
	}
	return strings.TrimSuffix(n, "_")
}
