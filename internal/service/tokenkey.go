package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"sync"
	"sync/atomic"
)

// Tokens, refresh tokens and grant codes keep Zoho's visible shape,
// 1000.<32 hex>.<32 hex>, but their last 8 hex digits are a check value:
// the first 4 bytes of HMAC-SHA256, under the installation's random key, of
// everything before them. A forged or random token fails the check before
// any database read, so a flood of them costs a hash, not a query. The key
// lives in the database, so the CLI and every instance mint tokens that
// each other accept.
const (
	tokenLen  = len("1000.") + 32 + 1 + 32
	macHexLen = 8
	bodyLen   = tokenLen - macHexLen
)

// tokenKey is the key, loaded from the store on first use and kept for the
// life of the process. A failed load is retried by the next caller.
type tokenKey struct {
	mu   sync.Mutex
	pool atomic.Pointer[sync.Pool] // of keyed HMAC states; nil until loaded
	key  []byte                    // set before pool
}

// macs returns the pool of keyed HMAC states, loading the key if needed.
func (s *Service) macs(ctx context.Context) (*sync.Pool, error) {
	if p := s.tokens.pool.Load(); p != nil {
		return p, nil
	}
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	if p := s.tokens.pool.Load(); p != nil {
		return p, nil
	}
	key := s.cfg.TokenKey
	if key == nil {
		var err error
		if key, err = s.store.TokenKey(ctx); err != nil {
			return nil, err
		}
	}
	p := &sync.Pool{New: func() any { return &macState{h: hmac.New(sha256.New, key)} }}
	s.tokens.key = key
	s.tokens.pool.Store(p)
	return p, nil
}

// installationKey is the token key, loaded if need be: it also keys what
// must not be readable from the database alone (the shared sign-in log's
// keys).
func (s *Service) installationKey(ctx context.Context) ([]byte, error) {
	if _, err := s.macs(ctx); err != nil {
		return nil, err
	}
	return s.tokens.key, nil
}

// macState is a keyed HMAC with its buffers, pooled so that a check
// allocates nothing.
type macState struct {
	h   hash.Hash
	buf [bodyLen]byte
	sum [sha256.Size]byte
}

// tokenMAC writes the check value of body into dst (macHexLen bytes).
func tokenMAC(p *sync.Pool, body string, dst []byte) {
	m := p.Get().(*macState)
	m.h.Reset()
	m.h.Write(m.buf[:copy(m.buf[:], body)])
	hex.Encode(dst, m.h.Sum(m.sum[:0])[:macHexLen/2])
	p.Put(m)
}

// newSignedToken makes a Zoho-shaped token that carries its check value.
// Mints call it inside their write transaction, where loading the key could
// wait for the one writer connection they hold: each entry point loads the
// key with macs first, and a path that forgot gets an error, not a hang.
func (s *Service) newSignedToken() (string, error) {
	p := s.tokens.pool.Load()
	if p == nil {
		return "", errors.New("service: token key not loaded before minting")
	}
	var raw [(bodyLen - len("1000.") - 1) / 2]byte
	if err := s.random(raw[:]); err != nil {
		return "", err
	}
	var b [tokenLen]byte
	n := copy(b[:], "1000.")
	hex.Encode(b[n:], raw[:16])
	n += 32
	b[n] = '.'
	n++
	hex.Encode(b[n:bodyLen], raw[16:])
	tokenMAC(p, string(b[:bodyLen]), b[bodyLen:])
	return string(b[:]), nil
}

// TokenSigned reports whether tok has the shape of a token made here and
// a correct check value. It reads the store only once per process, for the
// key; after that it does no I/O and no allocation.
func (s *Service) TokenSigned(ctx context.Context, tok string) (bool, error) {
	if !tokenShape(tok) {
		return false, nil
	}
	p, err := s.macs(ctx)
	if err != nil {
		return false, err
	}
	var want [macHexLen]byte
	tokenMAC(p, tok[:bodyLen], want[:])
	return subtle.ConstantTimeCompare(want[:], []byte(tok[bodyLen:])) == 1, nil
}

// tokenShape checks 1000.<32 lower-case hex>.<32 lower-case hex>.
func tokenShape(tok string) bool {
	if len(tok) != tokenLen || tok[:5] != "1000." || tok[5+32] != '.' {
		return false
	}
	for i := 5; i < tokenLen; i++ {
		if i == 5+32 {
			continue
		}
		c := tok[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
