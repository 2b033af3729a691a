package emulator

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

// Clock is the time the whole server reads when the emulator is on: token
// and code expiry, credit windows, If-Modified-Since, audit times, IDs. A
// test freezes it, sets it or moves it forward instead of sleeping; it
// runs with the real clock (plus any offset) until frozen.
//
// Now is on every request's path, so it reads one atomic pointer and takes
// no lock; the changes, which are rare, serialise on a mutex.
type Clock struct {
	base  func() time.Time
	mu    sync.Mutex
	state atomic.Pointer[clockState]
}

// clockState is either frozen at an instant or running at base()+offset.
type clockState struct {
	frozen bool
	at     time.Time     // the instant, when frozen
	offset time.Duration // added to base, when running
}

// NewClock returns a running clock over base (nil: time.Now).
func NewClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	c := &Clock{base: base}
	c.state.Store(&clockState{})
	return c
}

// Now is the clock's current time.
func (c *Clock) Now() time.Time {
	s := c.state.Load()
	if s.frozen {
		return s.at
	}
	if s.offset == 0 {
		return c.base()
	}
	return c.base().Add(s.offset)
}

// change applies f to a copy of the state under the lock.
func (c *Clock) change(f func(now time.Time, s *clockState)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := *c.state.Load()
	f(c.Now(), &s)
	c.state.Store(&s)
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	c.change(func(now time.Time, s *clockState) { s.frozen, s.at = true, now })
}

// Set moves the clock to t; a frozen clock stays frozen there, a running
// one runs on from it.
func (c *Clock) Set(t time.Time) {
	c.change(func(_ time.Time, s *clockState) {
		if s.frozen {
			s.at = t
		} else {
			s.offset = t.Sub(c.base())
		}
	})
}

// Advance moves the clock by d (which may be negative).
func (c *Clock) Advance(d time.Duration) {
	c.change(func(_ time.Time, s *clockState) {
		if s.frozen {
			s.at = s.at.Add(d)
		} else {
			s.offset += d
		}
	})
}

// Resume lets a frozen clock run again from where it stands.
func (c *Clock) Resume() {
	c.change(func(now time.Time, s *clockState) {
		if s.frozen {
			s.frozen, s.offset = false, now.Sub(c.base())
		}
	})
}

// Frozen reports whether the clock is stopped.
func (c *Clock) Frozen() bool { return c.state.Load().frozen }

// saved and restore let reset return the clock to where it stood when the
// server became ready.
func (c *Clock) saved() clockState { return *c.state.Load() }

func (c *Clock) restore(s clockState) {
	c.mu.Lock()
	c.state.Store(&s)
	c.mu.Unlock()
}

// clockJSON is the clock as the control API shows it.
type clockJSON struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
	// OffsetSeconds is how far a running clock is from the real time.
	OffsetSeconds float64 `json:"offset_seconds"`
}

func (c *Clock) view() clockJSON {
	s := c.state.Load()
	now := c.Now()
	off := s.offset
	if s.frozen {
		off = now.Sub(c.base())
	}
	return clockJSON{Now: now.UTC().Format(time.RFC3339Nano), Frozen: s.frozen, OffsetSeconds: off.Round(time.Millisecond).Seconds()}
}

// clockRequest is one change of the clock; exactly one field is set.
type clockRequest struct {
	Freeze  *bool   `json:"freeze"`
	Set     *string `json:"set"`
	Advance *string `json:"advance"`
	Resume  *bool   `json:"resume"`
}

func badClock(msg string) error {
	return crmguard.NewError(crmguard.CodeInvalidData, msg, crmguard.Details{"api_name": "clock"})
}

func (e *Emulator) registerClock(mux *http.ServeMux) {
	e.handle(mux, "GET "+Prefix+"clock", func(w http.ResponseWriter, r *http.Request) error {
		return web.WriteJSON(w, http.StatusOK, e.clock.view())
	})
	e.handle(mux, "POST "+Prefix+"clock", func(w http.ResponseWriter, r *http.Request) error {
		var req clockRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		n := 0
		for _, set := range []bool{req.Freeze != nil, req.Set != nil, req.Advance != nil, req.Resume != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return badClock(`give exactly one of "freeze", "set", "advance", "resume"`)
		}
		switch {
		case req.Freeze != nil:
			if !*req.Freeze {
				return badClock(`"freeze" must be true; use {"resume":true} to let the clock run`)
			}
			e.clock.Freeze()
		case req.Resume != nil:
			if !*req.Resume {
				return badClock(`"resume" must be true`)
			}
			e.clock.Resume()
		case req.Set != nil:
			t, err := time.Parse(time.RFC3339Nano, *req.Set)
			if err != nil {
				return badClock(`"set" must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z`)
			}
			e.clock.Set(t)
		case req.Advance != nil:
			d, err := time.ParseDuration(*req.Advance)
			if err != nil {
				return badClock(`"advance" must be a Go duration, e.g. 90s, 61m or 24h`)
			}
			e.clock.Advance(d)
		}
		e.log.Info("emulator clock", "now", e.clock.Now().UTC().Format(time.RFC3339), "frozen", e.clock.Frozen())
		return web.WriteJSON(w, http.StatusOK, e.clock.view())
	})
}

// decode reads a small JSON body; an empty body is an empty object.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && err.Error() != "EOF" {
		return crmguard.NewError(crmguard.CodeInvalidData, "the body is not the JSON object this route takes: "+err.Error(), nil)
	}
	return nil
}
