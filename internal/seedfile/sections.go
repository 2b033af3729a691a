package seedfile

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// document and the readers below decode one entry of each section: every
// key a section knows has a setter, and the mapping walk refuses the rest.
func (d *decoder) document(n *yaml.Node) *Document {
	doc := &Document{}
	d.fields(n, "the document", map[string]func(*yaml.Node){
		"version": func(v *yaml.Node) {
			var ver int
			d.integer(&ver, "version")(v)
			if ver != 0 && ver != Version {
				d.fail(v, "version %d is not supported (this crmguard reads version %d)", ver, Version)
			}
		},
		"profiles": func(v *yaml.Node) {
			d.seq(v, "profiles", func(it *yaml.Node) { doc.Profiles = append(doc.Profiles, d.profile(it)) })
		},
		"roles": func(v *yaml.Node) {
			d.seq(v, "roles", func(it *yaml.Node) { doc.Roles = append(doc.Roles, d.role(it)) })
		},
		"fields": func(v *yaml.Node) {
			d.seq(v, "fields", func(it *yaml.Node) { doc.Fields = append(doc.Fields, d.field(it)) })
		},
		"users": func(v *yaml.Node) {
			d.seq(v, "users", func(it *yaml.Node) { doc.Users = append(doc.Users, d.user(it)) })
		},
		"clients": func(v *yaml.Node) {
			d.seq(v, "clients", func(it *yaml.Node) { doc.Clients = append(doc.Clients, d.client(it)) })
		},
		"tokens": func(v *yaml.Node) {
			d.seq(v, "tokens", func(it *yaml.Node) { doc.Tokens = append(doc.Tokens, d.token(it)) })
		},
	})
	return doc
}

func (d *decoder) profile(n *yaml.Node) Profile {
	p := Profile{Pos: pos(n)}
	d.fields(n, "a profile", map[string]func(*yaml.Node){
		"name":        d.strTo(&p.Name, "name"),
		"clone_of":    d.ref(&p.CloneOf, "clone_of"),
		"description": d.optStr(&p.Description, "description"),
		"api_access":  d.optBool(&p.APIAccess, "api_access"),
		"permissions": func(v *yaml.Node) {
			if !d.kind(v, yaml.MappingNode, "permissions must map permission names to true or false") {
				return
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, val := v.Content[i], v.Content[i+1]
				on, ok := d.boolean(val, "permission "+k.Value)
				if ok {
					p.Permissions = append(p.Permissions, Permission{Pos: pos(k), Name: k.Value, Enabled: on})
				}
			}
		},
	})
	return p
}

func (d *decoder) role(n *yaml.Node) Role {
	r := Role{Pos: pos(n)}
	d.fields(n, "a role", map[string]func(*yaml.Node){
		"name":            d.strTo(&r.Name, "name"),
		"reporting_to":    d.ref(&r.ReportingTo, "reporting_to"),
		"description":     d.optStr(&r.Description, "description"),
		"share_with_peer": d.optBool(&r.ShareWithPeer, "share_with_peer"),
	})
	return r
}

func (d *decoder) field(n *yaml.Node) Field {
	f := Field{Pos: pos(n)}
	d.fields(n, "a field", map[string]func(*yaml.Node){
		"label":     d.strTo(&f.Label, "label"),
		"api_name":  d.strTo(&f.APIName, "api_name"),
		"type":      d.strTo(&f.Type, "type"),
		"length":    d.integer(&f.Length, "length"),
		"decimals":  d.integer(&f.Decimals, "decimals"),
		"pick_list": d.strList(&f.PickList, "pick_list", false),
	})
	return f
}

func (d *decoder) user(n *yaml.Node) User {
	u := User{Pos: pos(n)}
	d.fields(n, "a user", map[string]func(*yaml.Node){
		"email":      d.strTo(&u.Email, "email"),
		"first_name": d.optStr(&u.FirstName, "first_name"),
		"last_name":  d.optStr(&u.LastName, "last_name"),
		"role":       d.ref(&u.Role, "role"),
		"profile":    d.ref(&u.Profile, "profile"),
		"status":     d.optStr(&u.Status, "status"),
		"confirmed":  d.optBool(&u.Confirmed, "confirmed"),
		"password":   d.optStr(&u.Password, "password"),
		"fields": func(v *yaml.Node) {
			if !d.kind(v, yaml.MappingNode, "fields must map API names to values") {
				return
			}
			seen := map[string]bool{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, val := v.Content[i], v.Content[i+1]
				if seen[strings.ToLower(k.Value)] {
					d.fail(k, "field %q is given twice", k.Value)
					continue
				}
				seen[strings.ToLower(k.Value)] = true
				if raw, ok := d.scalarJSON(val, "field "+k.Value); ok {
					u.Fields = append(u.Fields, FieldValue{Pos: pos(k), APIName: k.Value, Value: raw})
				}
			}
		},
	})
	return u
}

func (d *decoder) client(n *yaml.Node) Client {
	c := Client{Pos: pos(n)}
	d.fields(n, "a client", map[string]func(*yaml.Node){
		"client_id":     d.strTo(&c.ClientID, "client_id"),
		"client_secret": d.strTo(&c.Secret, "client_secret"),
		"name":          d.strTo(&c.Name, "name"),
		"type":          d.strTo(&c.Type, "type"),
		"redirect_uris": d.strList(&c.RedirectURIs, "redirect_uris", false),
	})
	return c
}

func (d *decoder) token(n *yaml.Node) Token {
	t := Token{Pos: pos(n), Kind: TokenAccess}
	var user *Ref
	d.fields(n, "a token", map[string]func(*yaml.Node){
		"seed":   d.strTo(&t.Seed, "seed"),
		"kind":   d.strTo(&t.Kind, "kind"),
		"user":   d.ref(&user, "user"),
		"client": d.ref(&t.Client, "client"),
		"scopes": d.strList(&t.Scopes, "scopes", true),
		"expires_in": func(v *yaml.Node) {
			s, ok := d.str(v, "expires_in")
			if !ok {
				return
			}
			dur, err := time.ParseDuration(s)
			if err != nil || dur <= 0 {
				d.fail(v, "expires_in must be a positive duration such as 1h or 90m")
				return
			}
			t.ExpiresIn = dur
		},
	})
	if user != nil {
		t.User = *user
	}
	return t
}
