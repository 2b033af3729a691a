package service

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"io"
	mrand "math/rand/v2"
	"sync"

	"github.com/crmguard/crmguard"
)

// Deterministic returns what makes a service's IDs and secrets repeatable:
// a random source, an ID generator and a token key, all derived from seed.
// Two servers started with the same seed that receive the same calls in
// the same order make the same IDs, tokens, client ids and secrets. Only
// for tests: anyone who knows the seed can mint valid tokens.
func Deterministic(seed uint64) (random io.Reader, ids *crmguard.IDGen, tokenKey []byte) {
	var s [32]byte
	binary.BigEndian.PutUint64(s[:], seed)
	key := sha256.Sum256(append([]byte("crmguard deterministic token key "), s[:8]...))
	return &lockedReader{r: mrand.NewChaCha8(s)}, crmguard.NewSeededIDGen(seed), key[:]
}

// lockedReader makes a ChaCha8 stream safe for concurrent requests.
type lockedReader struct {
	mu sync.Mutex
	r  *mrand.ChaCha8
}

func (l *lockedReader) Read(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(b)
}

// random fills b from the configured source, crypto/rand by default.
func (s *Service) random(b []byte) error {
	if s.cfg.Random != nil {
		_, err := io.ReadFull(s.cfg.Random, b)
		return err
	}
	_, err := rand.Read(b)
	return err
}
