package seedfile

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
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
