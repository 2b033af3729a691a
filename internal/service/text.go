package service

import (
	"strings"
	"unicode/utf8"
)

// cleanText reports whether s may be stored as a name, description or other
// text value: valid UTF-8 with no NUL and no U+FFFD.
//
// The check runs on the decoded string, so that it holds for every
// transport: JSON bodies, console forms and CLI flags. Go's JSON decoder
// does not fail on invalid UTF-8 or on an unpaired surrogate escape
// (\ud800): it puts U+FFFD in their place, so after decoding the damage is
// visible only as that character, and refusing it is how we refuse the
// invalid input instead of storing a silently altered name. A real U+FFFD is
// not something anyone names a user or a role with. NUL is refused because
// it ends strings in C tools, log viewers and spreadsheets that read the
// exports, where it would cut or hide the rest of the value.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0) && !strings.ContainsRune(s, utf8.RuneError)
}
