package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
)

// csrfToken is the CSRF token of a session's forms, derived from the
// session token: it needs no storage, and a page that does not hold the
// session cannot compute it.
func csrfToken(session string) string {
	h := sha256.Sum256([]byte("csrf:" + session))
	return hex.EncodeToString(h[:])
}

// sameToken compares a posted token with the expected one in constant
// time; an empty token never matches.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// randomToken is a fresh double-submit token for the sign-in forms, which
// have no session yet: 48 hex digits.
func randomToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}
