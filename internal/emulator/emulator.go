package emulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// Prefix is the path prefix of every control route.
const Prefix = "/__emulator/"

// KeyHeader carries the emulator key on every control request.
const KeyHeader = "X-Emulator-Key"

// Config says how the emulator behaves. The zero value is usable.
type Config struct {
	// Key guards the control routes; empty makes a random one (Key()).
	Key string
	// JournalSize bounds the request journal (0: a default).
	JournalSize int
}

// Deps are the running parts the emulator controls.
type Deps struct {
	Service *service.Service
	Guard   *guard.Guard
	// State takes and restores the whole stored state.
	State crmguard.Snapshotter
	// Clock is the clock Service and Guard read; nil makes a real one.
	Clock *Clock
	Log   *slog.Logger
}

// Emulator serves the control API over one running stack.
type Emulator struct {
	cfg   Config
	key   string
	svc   *service.Service
	guard *guard.Guard
	state crmguard.Snapshotter
	clock *Clock
	log   *slog.Logger

	// faults and journal see every request through Wrap (faults.go,
	// journal.go); journal is nil when Config.JournalSize is negative.
	faults  faults
	journal *journal

	// mu serialises the changes that replace the whole state (reset,
	// restore, import) and guards the fields below.
	mu       sync.Mutex
	initial  *crmguard.Snapshot
	start    clockState
	snaps    map[string]*savedSnapshot
	restored []func()
}

// ErrKey refuses a control request without the right key.
var ErrKey = crmguard.NewError(crmguard.CodeAuthenticationFailure, "emulator key missing or wrong", nil)

// New builds the emulator. It serves nothing until Register, and reset
// works only after MarkInitial.
func New(cfg Config, d Deps) (*Emulator, error) {
	key := cfg.Key
	if key == "" {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		key = hex.EncodeToString(b[:])
	}
	if d.Clock == nil {
		d.Clock = NewClock(nil)
	}
	if d.Log == nil {
		d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Emulator{cfg: cfg, key: key, svc: d.Service, guard: d.Guard, state: d.State,
		clock: d.Clock, log: d.Log, snaps: map[string]*savedSnapshot{}, journal: newJournal(cfg.JournalSize)}, nil
}

// Key is the key control requests must carry.
func (e *Emulator) Key() string { return e.key }

// Clock is the clock the service and the pipeline read.
func (e *Emulator) Clock() *Clock { return e.clock }

// Register adds every control route to mux, one feature file at a time.
func (e *Emulator) Register(mux *http.ServeMux) {
	e.registerState(mux)
	e.registerClock(mux)
	e.registerFaults(mux)
	e.registerJournal(mux)
	e.registerSeed(mux)
}

// Wrap is the middleware around the whole handler tree, where the features
// that see every request (the journal, faults) hook in.
func (e *Emulator) Wrap(h http.Handler) http.Handler {
	return e.observe(h)
}

// OnRestore registers f to run after the stored state was replaced
// (reset, snapshot restore, import), for in-memory state of another part
// that would otherwise describe the state that is gone.
func (e *Emulator) OnRestore(f func()) {
	e.mu.Lock()
	e.restored = append(e.restored, f)
	e.mu.Unlock()
}

// handle registers fn under pattern behind the key check.
func (e *Emulator) handle(mux *http.ServeMux, pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
	mux.Handle(pattern, web.Handler{Log: e.log, Fn: func(w http.ResponseWriter, r *http.Request) error {
		if !e.keyOK(r) {
			return ErrKey
		}
		return fn(w, r)
	}})
}

// keyOK compares the request's key in constant time, so the answer's
// timing tells nothing about how much of a guess was right.
func (e *Emulator) keyOK(r *http.Request) bool {
	got := r.Header.Get(KeyHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(e.key)) == 1
}
