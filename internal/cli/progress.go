package cli

import (
	"fmt"
	"io"

	"golang.org/x/term"
)

// progress shows a long task's advance on stderr. On a terminal it redraws
// one line in place with \r; written to a file, a pipe or a CI log, \r
// redraws pile up as one long line of noise, so there it stays silent and
// the command's own result line is what remains.
type progress struct {
	w     io.Writer
	tty   bool
	label string
	total int
	drawn bool
}

// newProgress reports on e.stderr, redrawing only if it is a terminal.
func (e *env) newProgress(label string, total int) *progress {
	return &progress{w: e.stderr, tty: isTerminal(e.stderr), label: label, total: total}
}

// isTerminal reports whether w is a terminal (an *os.File on a TTY).
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// update shows done of total.
func (p *progress) update(done int) {
	if !p.tty {
		return
	}
	fmt.Fprintf(p.w, "\r%s: %d/%d", p.label, done, p.total)
	p.drawn = true
}

// end ends the redrawn line, so that what follows starts on its own.
func (p *progress) end() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
