package criteria

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// CodeInvalidQuery is the code of every error Parse returns.
const CodeInvalidQuery = crmguard.CodeInvalidQuery

// errMessage is the message of every error Parse returns, as Zoho words it.
const errMessage = "invalid query formed"

// Op is a comparison operator.
type Op string

// The supported operators.
const (
	Equals     Op = "equals"
	NotEqual   Op = "not_equal"
	StartsWith Op = "starts_with"
	In         Op = "in"
)

// MaxConditions is Zoho's limit of conditions in one criteria.
const MaxConditions = 10

// maxDepth bounds the nesting of parentheses, so that no input can exhaust
// the stack. Ten conditions never need more than ten levels.
const maxDepth = 32

// Expr is a parsed criteria: a *Cond or a *Group.
type Expr interface {
	// Match evaluates the expression against a record. get returns the
	// value of a field by its canonical API name; ok=false means the field
	// is empty or null.
	Match(get func(field string) (value string, ok bool)) bool
	// String renders the canonical form, which Parse reads back to the
	// same expression: ((a:equals:1)and(b:in:x,y\,z)).
	String() string
}

// Cond is one condition. Values has one element except for In.
type Cond struct {
	Field  string // canonical API name
	Op     Op
	Values []string // unescaped
}

// Group joins its terms with and, or with or when Or is set.
type Group struct {
	Or    bool
	Terms []Expr
}

// Match compares case-insensitively. An empty field (ok=false) matches
// only not_equal, which is the negation of equals.
func (c *Cond) Match(get func(string) (string, bool)) bool {
	v, ok := get(c.Field)
	switch c.Op {
	case Equals, In:
		return ok && c.any(v, strings.EqualFold)
	case NotEqual:
		return !ok || !c.any(v, strings.EqualFold)
	case StartsWith:
		return ok && c.any(v, hasPrefixFold)
	}
	return false
}

// any reports whether cmp(v, w) holds for some value w of c.
func (c *Cond) any(v string, cmp func(v, w string) bool) bool {
	for _, w := range c.Values {
		if cmp(v, w) {
			return true
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix under Unicode case folding.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		_, n := utf8.DecodeRuneInString(s)
		_, m := utf8.DecodeRuneInString(prefix)
		if !strings.EqualFold(s[:n], prefix[:m]) {
			return false
		}
		s, prefix = s[n:], prefix[m:]
	}
	return true
}

// Match holds when all terms match (and) or any term matches (or).
func (g *Group) Match(get func(string) (string, bool)) bool {
	for _, t := range g.Terms {
		if t.Match(get) == g.Or {
			return g.Or
		}
	}
	return !g.Or
}

var escaper = strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`, `,`, `\,`)

// Escape escapes a value for use in a condition: \ ( ) and , get a
// backslash.
func Escape(value string) string { return escaper.Replace(value) }

// String renders (field:op:value), escaping \ ( ) and , in values.
func (c *Cond) String() string {
	vals := make([]string, len(c.Values))
	for i, v := range c.Values {
		vals[i] = escaper.Replace(v)
	}
	return "(" + c.Field + ":" + string(c.Op) + ":" + strings.Join(vals, ",") + ")"
}

// String renders (term and term ...) without spaces.
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

// Fields lists the distinct fields an expression uses, in order of first
// use, so that a caller can load only those.
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

// Parse parses criteria, already URL-decoded. known reports whether a field
// may be searched, given its API name as written (trimmed), and returns its
// canonical API name; a caller usually matches case-insensitively. A nil
// known accepts every field as written.
//
// Errors are *crmguard.Error with code CodeInvalidQuery; see the package
// documentation.
func Parse(s string, known func(name string) (canonical string, ok bool)) (Expr, error) {
	if known == nil {
		known = func(name string) (string, bool) { return name, true }
	}
	p := &parser{s: s, known: known}
	p.space()
	if p.eof() {
		return nil, syntaxErr("the criteria is empty")
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.eof() { // expr stops at the end or at a ) it cannot match
		return nil, syntaxErr("unbalanced parentheses: the ) at position %d has no (", p.col(p.pos))
	}
	return e, nil
}

// parser is a recursive-descent parser over s; pos is the byte offset of
// the next unread byte.
type parser struct {
	s     string
	pos   int
	conds int
	depth int
	known func(string) (string, bool)
}

func queryErr(details crmguard.Details) error {
	details["param_name"] = "criteria"
	return crmguard.NewError(CodeInvalidQuery, errMessage, details)
}

func syntaxErr(format string, args ...any) error {
	return queryErr(crmguard.Details{"reason": fmt.Sprintf(format, args...)})
}

func (p *parser) eof() bool { return p.pos == len(p.s) }

// col is the 1-based position, in characters, of byte offset off.
func (p *parser) col(off int) int { return utf8.RuneCountInString(p.s[:off]) + 1 }

// next is the character at pos, quoted for an error reason.
func (p *parser) next() string {
	r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
	return fmt.Sprintf("%q", r)
}

func (p *parser) space() {
	for !p.eof() && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// keyword reads and or or, in any case, and returns it in lower case, or
// returns "" and reads nothing.
func (p *parser) keyword() string {
	for _, w := range [...]string{"and", "or"} {
		if rest := p.s[p.pos:]; len(rest) >= len(w) && strings.EqualFold(rest[:len(w)], w) {
			p.pos += len(w)
			return w
		}
	}
	return ""
}

// expr reads term (keyword term)*, one keyword throughout. It stops at the
// end of the input or at a ), which it leaves unread.
func (p *parser) expr() (Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, syntaxErr("parentheses are nested more than %d deep", maxDepth)
	}
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	op := ""
	for {
		p.space()
		if p.eof() || p.s[p.pos] == ')' {
			break
		}
		at := p.pos
		word := p.keyword()
		switch {
		case word == "" && p.s[p.pos] == '(':
			return nil, syntaxErr("and or or is missing between the conditions at position %d", p.col(at))
		case word == "":
			return nil, syntaxErr("expected and, or or ) at position %d, found %s", p.col(at), p.next())
		case op != "" && word != op:
			return nil, syntaxErr("and and or are mixed in one group at position %d: add parentheses", p.col(at))
		}
		op = word
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &Group{Or: op == "or", Terms: terms}, nil
}

// term reads a parenthesised condition or group.
func (p *parser) term() (Expr, error) {
	p.space()
	if p.eof() {
		return nil, syntaxErr("a condition is missing at the end of the criteria")
	}
	if p.s[p.pos] != '(' {
		return nil, syntaxErr("expected ( at position %d, found %s", p.col(p.pos), p.next())
	}
	open := p.pos
	p.pos++
	p.space()
	var e Expr
	var err error
	if !p.eof() && p.s[p.pos] == '(' {
		e, err = p.expr()
	} else {
		e, err = p.cond(open)
	}
	if err != nil {
		return nil, err
	}
	// cond stops at its ), expr at a ) or the end.
	if p.eof() {
		return nil, syntaxErr("unbalanced parentheses: the ( at position %d is not closed", p.col(open))
	}
	p.pos++
	return e, nil
}

// cond reads api_name:operator:value up to, not including, the ) that
// closes the ( at byte offset open.
func (p *parser) cond(open int) (Expr, error) {
	if !p.eof() && p.s[p.pos] == ')' {
		return nil, syntaxErr("empty parentheses at position %d: expected (api_name:operator:value)", p.col(open))
	}
	p.conds++
	if p.conds > MaxConditions {
		return nil, queryErr(crmguard.Details{"reason": fmt.Sprintf("more than %d conditions", MaxConditions), "limit": MaxConditions})
	}
	name, err := p.part(open, "api_name")
	if err != nil {
		return nil, err
	}
	opName, err := p.part(open, "operator")
	if err != nil {
		return nil, err
	}
	name, opName = strings.TrimSpace(name), strings.TrimSpace(opName)
	if name == "" {
		return nil, syntaxErr("the condition at position %d has no api_name", p.col(open))
	}
	if opName == "" {
		return nil, syntaxErr("the condition at position %d has no operator", p.col(open))
	}
	field, ok := p.known(name)
	if !ok {
		return nil, queryErr(crmguard.Details{"api_name": name, "reason": "the field is not available for search"})
	}
	op := Op(strings.ToLower(opName))
	switch op {
	case Equals, NotEqual, StartsWith, In:
	default:
		return nil, queryErr(crmguard.Details{"api_name": name, "operator": opName, "reason": "invalid operator found"})
	}
	values, err := p.values(open, op)
	if err != nil {
		return nil, err
	}
	return &Cond{Field: field, Op: op, Values: values}, nil
}

// part reads the api_name or the operator of a condition and its colon.
func (p *parser) part(open int, what string) (string, error) {
	start := p.pos
	for ; !p.eof(); p.pos++ {
		switch p.s[p.pos] {
		case ':':
			p.pos++
			return p.s[start : p.pos-1], nil
		case ')':
			return "", syntaxErr("the condition at position %d has no value: expected (api_name:operator:value)", p.col(open))
		case '(', '\\':
			return "", syntaxErr("unexpected %s at position %d in the %s of the condition at position %d", p.next(), p.col(p.pos), what, p.col(open))
		}
	}
	return "", syntaxErr("unbalanced parentheses: the ( at position %d is not closed", p.col(open))
}

// values reads the value of a condition, unescaping it and, for In,
// splitting it at unescaped commas.
func (p *parser) values(open int, op Op) ([]string, error) {
	var vals []string
	var cur strings.Builder
	for ; !p.eof(); p.pos++ {
		switch c := p.s[p.pos]; {
		case c == '\\':
			if p.pos+1 == len(p.s) || strings.IndexByte(`(),\`, p.s[p.pos+1]) < 0 {
				return nil, syntaxErr(`bad escape at position %d: only \(, \), \, and \\ are escapes`, p.col(p.pos))
			}
			p.pos++
			cur.WriteByte(p.s[p.pos])
		case c == '(':
			return nil, syntaxErr(`unescaped ( at position %d in a value: write \(`, p.col(p.pos))
		case c == ',' && op == In:
			vals = append(vals, cur.String())
			cur.Reset()
		case c == ')':
			vals = append(vals, cur.String())
			for _, v := range vals {
				if strings.TrimSpace(v) == "" {
					return nil, syntaxErr("the condition at position %d has an empty value", p.col(open))
				}
			}
			return vals, nil
		default:
			cur.WriteByte(c)
		}
	}
	return nil, syntaxErr("unbalanced parentheses: the ( at position %d is not closed", p.col(open))
}
