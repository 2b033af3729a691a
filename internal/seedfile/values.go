package seedfile

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// pos, and the readers below, turn one node into one value. Each checks
// the node's kind and tag and reports a mismatch where the node stands,
// so a wrong type is named at its own line rather than the entry's.
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
	if n.Kind == yaml.AliasNode {
		d.fail(n, "anchors and aliases are not supported in seed files")
		return false
	}
	if n.Anchor != "" {
		// Reported, but the node is read on, so its own mistakes show too.
		d.fail(n, "anchors and aliases are not supported in seed files")
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
