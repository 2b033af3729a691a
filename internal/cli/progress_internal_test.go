package cli

import (
	"bytes"
	"testing"
)

// TestProgressRedrawsOnTerminal: on a terminal the line is redrawn in place
// and ended once; elsewhere nothing is written.
func TestProgressRedrawsOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, tty: true, label: "seeding users", total: 4}
	p.update(2)
	p.update(4)
	p.end()
	if got, want := buf.String(), "\rseeding users: 2/4\rseeding users: 4/4\n"; got != want {
		t.Errorf("terminal: %q, want %q", got, want)
	}
	buf.Reset()
	e := &env{stderr: &buf}
	p = e.newProgress("seeding users", 4)
	p.update(4)
	p.end()
	if buf.Len() != 0 {
		t.Errorf("not a terminal: %q, want nothing", buf.String())
	}
}
