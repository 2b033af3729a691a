package seedfile

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem of a seed file, at a place in it.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Pos.Line, e.Pos.Column, e.Msg)
}

// Errorf makes an Error at pos; the service uses it for what only the
// org's data can decide, so those errors name the line too.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// maxErrors is how many problems one report lists: enough to fix a file in
// one pass, few enough that a wrong file type does not print thousands.
const maxErrors = 20

// Errors is every problem found, in file order. Parse and Check return it
// (as an error) when there is at least one.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// sorted orders the errors by position and keeps the first maxErrors.
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Pos.Line != es[j].Pos.Line {
			return es[i].Pos.Line < es[j].Pos.Line
		}
		return es[i].Pos.Column < es[j].Pos.Column
	})
	if len(es) > maxErrors {
		es = es[:maxErrors]
	}
	return es
}
