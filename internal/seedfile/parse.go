package seedfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
)

// MaxSize is the largest seed file read: about 50,000 users.
const MaxSize = 16 << 20

// Parse reads a YAML or JSON seed file and checks everything that does not
// depend on the org: the syntax, the keys, each value's type and form,
// names given twice, and references between the file's own entries that
// no org could satisfy (a role reporting to itself). It returns Errors,
// each with its line and column, when the file is wrong.
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxSize {
		return nil, &Error{Msg: fmt.Sprintf("the file is larger than %d MiB", MaxSize>>20)}
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		// JSON allows a tab wherever it allows a space and nowhere else
		// (a tab inside a string must be escaped), while YAML refuses tabs
		// as indentation: swapping them for spaces changes no value and
		// keeps every line and column.
		data = bytes.ReplaceAll(data, []byte{'\t'}, []byte{' '})
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Errors{syntaxError(err)}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, Errors{{Pos: Pos{1, 1}, Msg: "the file is empty"}}
	}
	d := &decoder{}
	doc := d.document(root.Content[0])
	d.checkDocument(doc)
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	return doc, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns the parser's message ("yaml: line 3: ...") into an
// Error at that line.
func syntaxError(err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Pos: Pos{Line: line, Column: 1}, Msg: "syntax: " + m[2]}
	}
	return &Error{Pos: Pos{Line: 1, Column: 1}, Msg: "syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

type decoder struct{ errs Errors }

func pos(n *yaml.Node) Pos { return Pos{Line: n.Line, Column: n.Column} }

func (d *decoder) fail(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, Errorf(pos(n), format, args...))
}

// fields walks a mapping: each key once, each known key to its setter, an
// unknown key refused with the keys that are allowed.
func (d *decoder) fields(n *yaml.Node, what string, set map[string]func(v *yaml.Node)) {
	if !d.kind(n, yaml.MappingNode, what+" must be a mapping of keys to values") {
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, "%s: a key must be a plain name", what)
			continue
		}
		if seen[k.Value] {
			d.fail(k, "%s: key %q is given twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		f, ok := set[k.Value]
		if !ok {
			d.fail(k, "%s: unknown key %q (known: %s)", what, k.Value, keyList(set))
			continue
		}
		f(v)
	}
}

func keyList(set map[string]func(*yaml.Node)) string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// kind checks a node's kind. Anchors and aliases are refused: expanding
// them could turn a small file into an enormous one, and a seed file
// gains little from them.
func (d *decoder) kind(n *yaml.Node, k yaml.Kind, msg string) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.fail(n, "anchors and aliases are not supported in seed files")
		return false
	}
	if n.Kind != k {
		d.fail(n, "%s", msg)
		return false
	}
	return true
}

func (d *decoder) seq(n *yaml.Node, what string, each func(item *yaml.Node)) {
	if n.Tag == "!!null" {
		return
	}
	if !d.kind(n, yaml.SequenceNode, what+" must be a list") {
		return
	}
	for _, it := range n.Content {
		each(it)
	}
}

func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	if !d.kind(n, yaml.ScalarNode, what+" must be a text value") {
		return "", false
	}
	if n.Tag != "!!str" {
		d.fail(n, "%s must be text, not %s (quote it)", what, tagName(n.Tag))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) strTo(dst *string, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if s, ok := d.str(n, what); ok {
			*dst = s
		}
	}
}

func (d *decoder) optStr(dst **string, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if s, ok := d.str(n, what); ok {
			*dst = &s
		}
	}
}

func (d *decoder) ref(dst **Ref, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if s, ok := d.str(n, what); ok {
			*dst = &Ref{Name: strings.TrimSpace(s), Pos: pos(n)}
		}
	}
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	if !d.kind(n, yaml.ScalarNode, what+" must be true or false") {
		return false, false
	}
	if n.Tag != "!!bool" {
		d.fail(n, "%s must be true or false, not %s", what, tagName(n.Tag))
		return false, false
	}
	b, err := strconv.ParseBool(strings.ToLower(n.Value))
	if err != nil {
		// YAML 1.1 spellings (yes, on) are tagged !!bool by the parser
		// only in 1.1 mode; a 1.2 parser leaves them text, so this is rare.
		d.fail(n, "%s must be true or false", what)
		return false, false
	}
	return b, true
}

func (d *decoder) optBool(dst **bool, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if b, ok := d.boolean(n, what); ok {
			*dst = &b
		}
	}
}

func (d *decoder) integer(dst *int, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if !d.kind(n, yaml.ScalarNode, what+" must be a whole number") {
			return
		}
		v, err := strconv.Atoi(n.Value)
		if n.Tag != "!!int" || err != nil {
			d.fail(n, "%s must be a whole number", what)
			return
		}
		*dst = v
	}
}

// strList reads a list of text values; comma also accepts one text value
// of comma-separated items, as Zoho writes scopes.
func (d *decoder) strList(dst *[]string, what string, comma bool) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if comma && n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			for _, s := range strings.Split(n.Value, ",") {
				if s = strings.TrimSpace(s); s != "" {
					*dst = append(*dst, s)
				}
			}
			return
		}
		d.seq(n, what, func(it *yaml.Node) {
			if s, ok := d.str(it, what+" item"); ok {
				*dst = append(*dst, s)
			}
		})
	}
}

func tagName(tag string) string {
	switch tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true/false"
	case "!!null":
		return "empty"
	case "!!str":
		return "text"
	}
	return strings.TrimPrefix(tag, "!!")
}

// scalarJSON turns a scalar YAML value into the JSON value a user field
// takes: a number, true or false, null, or a string.
func (d *decoder) scalarJSON(n *yaml.Node, what string) (json.RawMessage, bool) {
	if !d.kind(n, yaml.ScalarNode, what+" must be a single value") {
		return nil, false
	}
	switch n.Tag {
	case "!!null":
		return json.RawMessage("null"), true
	case "!!bool":
		b, ok := d.boolean(n, what)
		if !ok {
			return nil, false
		}
		return json.RawMessage(strconv.FormatBool(b)), true
	case "!!int", "!!float":
		if json.Valid([]byte(n.Value)) {
			return json.RawMessage(n.Value), true
		}
		d.fail(n, "%s: %q is not a number JSON can carry", what, n.Value)
		return nil, false
	}
	b, _ := json.Marshal(n.Value)
	return b, true
}

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

func (d *decoder) required(at Pos, what, key, value string) bool {
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
