// Package criteria parses and evaluates the criteria of Zoho's search APIs:
// (api_name:operator:value) conditions joined by and/or, grouped with
// parentheses, at most ten of them. It is pure: no I/O, no storage.
package criteria

import (
	"fmt"
	"strings"

	"github.com/crmguard/crmguard"
)

// Op is a comparison operator.
type Op string

// The operators crmguard supports on users.
const (
	Equals     Op = "equals"
	NotEqual   Op = "not_equal"
	StartsWith Op = "starts_with"
	In         Op = "in"
)

// MaxConditions is Zoho's limit of conditions in one criteria.
const MaxConditions = 10

// Expr is a parsed criteria. Match evaluates it against a record: get
// returns a field's value, ok=false when the field is empty.
type Expr interface {
	Match(get func(field string) (value string, ok bool)) bool
	String() string
}

// Cond is one condition. Values has one element except for In.
type Cond struct {
	Field  string
	Op     Op
	Values []string
}

// Group joins terms with and (Or false) or or.
type Group struct {
	Or    bool
	Terms []Expr
}

// Match compares case-insensitively; not_equal is the negation of equals,
// so it holds for an empty field.
func (c *Cond) Match(get func(string) (string, bool)) bool {
	v, ok := get(c.Field)
	switch c.Op {
	case NotEqual:
		return !ok || !strings.EqualFold(v, c.Values[0])
	case StartsWith:
		p := c.Values[0]
		return ok && len(v) >= len(p) && strings.EqualFold(v[:len(p)], p)
	}
	if !ok {
		return false
	}
	for _, want := range c.Values {
		if strings.EqualFold(v, want) {
			return true
		}
	}
	return false
}

// Match applies and or or over the terms.
func (g *Group) Match(get func(string) (string, bool)) bool {
	for _, t := range g.Terms {
		if t.Match(get) != g.Or {
			return !g.Or
		}
	}
	return g.Or
}

var escaper = strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`, `,`, `\,`)

// String renders the canonical form, escaping what needs it.
func (c *Cond) String() string {
	vals := make([]string, len(c.Values))
	for i, v := range c.Values {
		vals[i] = escaper.Replace(v)
	}
	return "(" + c.Field + ":" + string(c.Op) + ":" + strings.Join(vals, ",") + ")"
}

// String renders the canonical form.
func (g *Group) String() string {
	parts := make([]string, len(g.Terms))
	for i, t := range g.Terms {
		parts[i] = t.String()
	}
	op := "and"
	if g.Or {
		op = "or"
	}
	return "(" + strings.Join(parts, op) + ")"
}

// Fields lists the distinct fields an expression uses, in order of use.
func Fields(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(Expr)
	walk = func(e Expr) {
		switch e := e.(type) {
		case *Cond:
			if !seen[e.Field] {
				seen[e.Field] = true
				out = append(out, e.Field)
			}
		case *Group:
			for _, t := range e.Terms {
				walk(t)
			}
		}
	}
	walk(e)
	return out
}

func queryErr(details crmguard.Details) *crmguard.Error {
	details["param_name"] = "criteria"
	return crmguard.NewError(crmguard.CodeInvalidQuery, "invalid query formed", details)
}

func syntaxErr(format string, args ...any) *crmguard.Error {
	return queryErr(crmguard.Details{"reason": fmt.Sprintf(format, args...)})
}

type parser struct {
	s     string
	pos   int
	conds int
	known func(string) (string, bool)
	depth int
}

// maxDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxDepth = 32

// Parse parses criteria. known reports whether a field may be searched and
// returns its canonical API name. Errors are INVALID_QUERY with a reason.
func Parse(s string, known func(name string) (canonical string, ok bool)) (Expr, error) {
	p := &parser{s: s, known: known}
	p.space()
	if p.pos == len(s) {
		return nil, syntaxErr("the criteria is empty")
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(s) {
		return nil, syntaxErr("unexpected %q at position %d", p.s[p.pos], p.pos+1)
	}
	return e, nil
}

func (p *parser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

// expr is term (op term)*, one operator throughout.
func (p *parser) expr() (Expr, *crmguard.Error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, syntaxErr("groups are nested more than %d deep", maxDepth)
	}
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	g := &Group{Terms: []Expr{first}}
	op := ""
	for {
		p.space()
		if p.pos == len(p.s) || p.s[p.pos] == ')' {
			break
		}
		start := p.pos
		var word string
		switch rest := strings.ToLower(p.s[p.pos:]); {
		case strings.HasPrefix(rest, "and"):
			word = "and"
		case strings.HasPrefix(rest, "or"):
			word = "or"
		default:
			return nil, syntaxErr("expected and or or at position %d", p.pos+1)
		}
		p.pos += len(word)
		if op != "" && op != word {
			return nil, syntaxErr("and and or are mixed in one group at position %d: add parentheses", start+1)
		}
		op = word
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		g.Terms = append(g.Terms, t)
	}
	if len(g.Terms) == 1 {
		return first, nil
	}
	g.Or = op == "or"
	return g, nil
}

// term is ( condition ) or ( expr ).
func (p *parser) term() (Expr, *crmguard.Error) {
	p.space()
	if p.pos == len(p.s) {
		return nil, syntaxErr("a condition is missing at the end")
	}
	if p.s[p.pos] != '(' {
		return nil, syntaxErr("expected ( at position %d", p.pos+1)
	}
	open := p.pos
	p.pos++
	p.space()
	var e Expr
	var err *crmguard.Error
	if p.pos < len(p.s) && p.s[p.pos] == '(' {
		e, err = p.expr()
	} else {
		e, err = p.cond()
	}
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos == len(p.s) || p.s[p.pos] != ')' {
		return nil, syntaxErr("unbalanced parentheses: the ( at position %d is not closed", open+1)
	}
	p.pos++
	return e, nil
}

// cond is api_name:operator:value, up to the closing parenthesis.
func (p *parser) cond() (Expr, *crmguard.Error) {
	start := p.pos
	p.conds++
	if p.conds > MaxConditions {
		return nil, queryErr(crmguard.Details{"reason": fmt.Sprintf("more than %d conditions", MaxConditions), "limit": MaxConditions})
	}
	name, err := p.part("field name")
	if err != nil {
		return nil, err
	}
	opName, err := p.part("operator")
	if err != nil {
		return nil, err
	}
	name, opName = strings.TrimSpace(name), strings.TrimSpace(opName)
	if name == "" {
		return nil, syntaxErr("the condition at position %d has no field name", start+1)
	}
	field, ok := p.known(name)
	if !ok {
		return nil, queryErr(crmguard.Details{"api_name": name, "reason": "the field is not available for search"})
	}
	c := &Cond{Field: field, Op: Op(strings.ToLower(opName))}
	switch c.Op {
	case Equals, NotEqual, StartsWith, In:
	default:
		return nil, queryErr(crmguard.Details{"api_name": name, "operator": opName, "reason": "invalid operator found"})
	}
	var cur strings.Builder
	for {
		if p.pos == len(p.s) {
			return nil, syntaxErr("unbalanced parentheses: the condition at position %d is not closed", start)
		}
		ch := p.s[p.pos]
		switch {
		case ch == '\\':
			if p.pos+1 == len(p.s) || !strings.ContainsRune(`(),\`, rune(p.s[p.pos+1])) {
				return nil, syntaxErr(`bad escape at position %d: only \(, \), \, and \\ are escapes`, p.pos+1)
			}
			cur.WriteByte(p.s[p.pos+1])
			p.pos += 2
			continue
		case ch == '(':
			return nil, syntaxErr(`unescaped ( in a value at position %d: write \(`, p.pos+1)
		case ch == ')':
			c.Values = append(c.Values, cur.String())
			if c.Op != In {
				c.Values = []string{strings.Join(c.Values, ",")}
			}
			for _, v := range c.Values {
				if v == "" {
					return nil, syntaxErr("the condition at position %d has an empty value", start+1)
				}
			}
			return c, nil
		case ch == ',':
			c.Values = append(c.Values, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
		p.pos++
	}
}

// part reads up to the next colon of a condition.
func (p *parser) part(what string) (string, *crmguard.Error) {
	start := p.pos
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ':':
			p.pos++
			return p.s[start : p.pos-1], nil
		case '(', ')', '\\':
			return "", syntaxErr("the condition at position %d needs field:operator:value; %q found in the %s", start+1, p.s[p.pos], what)
		}
		p.pos++
	}
	return "", syntaxErr("the condition at position %d needs field:operator:value", start+1)
}
