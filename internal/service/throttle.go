package service

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Failed sign-ins are counted under three keys, each over the last
// throttleWindow, and a sign-in is refused while any of them is at its
// limit, even with the right password:
//
//   - the pair (e-mail, address): 5 failures lock that e-mail from that
//     address. This is the ordinary lock against guessing one password.
//   - the e-mail from any address: 20 failures lock the e-mail everywhere,
//     against guessing spread over many addresses. One address adds at most
//     5 of them before its pair locks, so a stranger needs four addresses
//     to lock someone out.
//   - the address alone: 100 failures lock every e-mail from that address,
//     against one address trying a common password on many e-mails. The cap
//     is high so that a stranger's made-up e-mails do not lock out an
//     office that shares one address; below it, an address's failures lock
//     nothing but its own pairs.
//
// An IPv6 address counts by its /64, which one host usually holds whole.
//
// The counts live in this process's memory, which suits SQLite: one
// process. On PostgreSQL (Config.SignIns) they live in the shared database
// instead (throttleshared.go), so instances behind one load balancer count
// together: the limits hold across all of them.
const (
	throttleWindow = 15 * time.Minute
	pairLimit      = 5
	emailLimit     = 20
	addressLimit   = 100
)

// ThrottledError refuses a sign-in because of earlier failures. Wait is how
// long until the next try can be weighed.
type ThrottledError struct {
	Wait time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins: try again in %d minute(s)", e.Minutes())
}

// Minutes is Wait rounded up to whole minutes, as pages show it.
func (e *ThrottledError) Minutes() int { return int(math.Ceil(e.Wait.Minutes())) }

// Seconds is Wait rounded up to whole seconds, for Retry-After.
func (e *ThrottledError) Seconds() int { return int(math.Ceil(e.Wait.Seconds())) }

// throttle holds failure times per key. Its zero value is ready.
type throttle struct {
	mu      sync.Mutex
	fails   map[string][]time.Time
	sweepAt int // sweep expired keys when the map reaches this size
	// shared, when set, holds the failures instead of fails, under keys
	// hashed with key (Service.installationKey).
	shared SignInLog
	key    func(context.Context) ([]byte, error)
}

type throttleKey struct {
	key   string
	limit int
}

// signInKeys are the three keys of a sign-in by email from addr.
func signInKeys(email, addr string) [3]throttleKey {
	e := strings.ToLower(strings.TrimSpace(email))
	a := addr
	if ip, err := netip.ParseAddr(addr); err == nil && ip.Unmap().Is6() {
		p, _ := ip.Prefix(64)
		a = p.String()
	}
	return [3]throttleKey{
		{"pair:" + e + "\x00" + a, pairLimit},
		{"email:" + e, emailLimit},
		{"addr:" + a, addressLimit},
	}
}

// begin counts an attempt as a failure before the password is checked, so
// that concurrent tries cannot all pass the check at once: the sixth of
// thirty parallel guesses is refused like the sixth of thirty in a row. It
// returns a ThrottledError, without counting, when a key is at its limit.
// The caller ends the attempt with succeeded or abandoned, or leaves it
// counted as a failure.
func (t *throttle) begin(now time.Time, keys [3]throttleKey) error {
	if t.shared != nil {
		return t.beginShared(now, keys)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails == nil {
		t.fails = map[string][]time.Time{}
	}
	var wait time.Duration
	for _, k := range keys {
		fs := t.live(now, k.key)
		if len(fs) >= k.limit {
			// Refused until the failure that reached the limit ages out.
			if d := throttleWindow - now.Sub(fs[len(fs)-k.limit]); d > wait {
				wait = d
			}
		}
	}
	if wait > 0 {
		return &ThrottledError{Wait: wait}
	}
	for _, k := range keys {
		t.fails[k.key] = append(t.fails[k.key], now)
	}
	if len(t.fails) >= t.sweepAt {
		t.sweep(now)
	}
	return nil
}

// succeeded ends an attempt with the right password: the pair starts
// afresh; the e-mail and the address forget this attempt but keep earlier
// failures until they age out.
func (t *throttle) succeeded(at time.Time, keys [3]throttleKey) {
	if t.shared != nil {
		t.endShared(at, keys[:1], keys[1:])
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, keys[0].key)
	t.forget(at, keys[1:])
}

// abandoned ends an attempt that failed for a reason other than the
// password (a database error): it is not a failure.
func (t *throttle) abandoned(at time.Time, keys [3]throttleKey) {
	if t.shared != nil {
		t.endShared(at, nil, keys[:])
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.forget(at, keys[:])
}

func (t *throttle) forget(at time.Time, keys []throttleKey) {
	for _, k := range keys {
		fs := t.fails[k.key]
		for i := len(fs) - 1; i >= 0; i-- {
			if fs[i].Equal(at) {
				fs = append(fs[:i], fs[i+1:]...)
				break
			}
		}
		if len(fs) == 0 {
			delete(t.fails, k.key)
		} else {
			t.fails[k.key] = fs
		}
	}
}

// live drops a key's failures older than the window and returns the rest.
func (t *throttle) live(now time.Time, key string) []time.Time {
	fs := t.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= throttleWindow {
		i++
	}
	if i == len(fs) {
		delete(t.fails, key)
		return nil
	}
	if i > 0 {
		fs = append(fs[:0], fs[i:]...)
		t.fails[key] = fs
	}
	return fs
}

// sweep drops keys whose failures have all aged out. It runs when the map
// has doubled since the last sweep, so its cost is spread over the
// failures that grew it.
func (t *throttle) sweep(now time.Time) {
	for k := range t.fails {
		t.live(now, k)
	}
	t.sweepAt = max(1024, 2*len(t.fails))
}
