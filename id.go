package crmguard

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"
)

// ID is a Zoho-style record identifier: a 19-digit number that fits in a
// signed 64-bit integer and is serialised as a JSON string.
type ID int64

// String formats the ID as decimal digits.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// MarshalJSON writes the ID as a JSON string, as Zoho does.
func (id ID) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 21)
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(id), 10)
	return append(b, '"'), nil
}

// ErrInvalidID is what UnmarshalJSON returns for a value that is not an ID;
// each caller answers it with its own Zoho error.
var ErrInvalidID = errors.New("crmguard: invalid ID")

// UnmarshalJSON reads an ID written as a string ("123", as Zoho writes IDs)
// or as a number (123, as Zoho's SDKs send their long IDs). JSON null leaves
// the ID unchanged, as encoding/json expects; callers that give null a
// meaning check for it first.
func (id *ID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if json.Unmarshal(b, &s) != nil {
			return ErrInvalidID
		}
	}
	v, ok := ParseID(s)
	if !ok {
		return ErrInvalidID
	}
	*id = v
	return nil
}

// ParseID parses a decimal ID. It accepts only digits, 1 to 19 of them,
// with a value that fits in int64 and is positive.
func ParseID(s string) (ID, bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return ID(n), true
}

// idEpoch is the start of the time component of generated IDs.
var idEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// idBase puts every generated ID in the 19-digit range.
const idBase = 1_000_000_000_000_000_000

// IDGen makes time-ordered 19-digit IDs: milliseconds since 2020 in the high
// bits, a random node number (so that several instances rarely collide; a
// unique constraint catches the rest) and a per-millisecond sequence.
type IDGen struct {
	mu   sync.Mutex
	node int64
	last int64
	seq  int64
	now  func() time.Time
}

// NewIDGen returns a generator; now may be nil for time.Now.
func NewIDGen(now func() time.Time) *IDGen {
	var b [2]byte
	_, _ = rand.Read(b[:])
	if now == nil {
		now = time.Now
	}
	return &IDGen{node: int64(binary.BigEndian.Uint16(b[:]) & 0x3ff), now: now}
}

// seededEpoch is the fixed instant of a seeded generator's IDs: they look
// like IDs made on 1 January 2024 and never depend on the clock.
var seededEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// NewSeededIDGen returns a generator whose IDs depend only on seed and on
// how many came before: the same seed and the same calls give the same
// IDs, run after run, so test suites can keep IDs in golden files.
func NewSeededIDGen(seed uint64) *IDGen {
	return &IDGen{node: int64(seed & 0x3ff), now: func() time.Time { return seededEpoch }}
}

// New returns the next ID.
func (g *IDGen) New() ID {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := g.now().UnixMilli() - idEpoch
	if ms <= g.last {
		ms = g.last
		g.seq++
		if g.seq > 0xfff {
			ms++
			g.seq = 0
		}
	} else {
		g.seq = 0
	}
	g.last = ms
	return ID(idBase + (ms<<22 | g.node<<12 | g.seq))
}
