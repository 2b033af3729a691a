package service

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashToken is the SHA-256 of a token, code or secret: the only form stored.
func HashToken(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// newToken makes a Zoho-shaped token: 1000.<32 hex>.<32 hex>.
func (s *Service) newToken() string {
	var b [32]byte
	if err := s.random(b[:]); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	return "1000." + hex.EncodeToString(b[:16]) + "." + hex.EncodeToString(b[16:])
}

// newClientID makes a Zoho-shaped client id: 1000. and 30 upper-case letters and digits.
func (s *Service) newClientID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [30]byte
	if err := s.random(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "1000." + string(b[:])
}

// newSecret makes a client secret or the token of an invitation or reset
// link: 42 hex digits.
func (s *Service) newSecret() string {
	var b [21]byte
	if err := s.random(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}
