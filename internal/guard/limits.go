package guard

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

// creditWindow counts API credits over a rolling 24 hours in one-minute
// buckets.
type creditWindow struct {
	mu      sync.Mutex
	buckets [1440]int32
	minute  int64 // the minute of the newest bucket written or expired
	total   int64
	// oldest is the minute of the oldest non-empty bucket while total > 0:
	// its credits free first, at (oldest+1440) minutes. It only moves
	// forward, so keeping it costs O(1) per call amortised.
	oldest int64
	reset  resetMemo
}

// resetMemo caches an X-RATELIMIT-RESET value, rebuilt only when the time
// it gives changes (at most once a minute while credits are spent), so a
// granted call formats no time.
type resetMemo struct {
	value []string
	at    int64
}

// header is the value for at, Unix milliseconds.
func (r *resetMemo) header(at int64) []string {
	if r.value == nil || r.at != at {
		r.at, r.value = at, []string{strconv.FormatInt(at, 10)}
	}
	return r.value
}

// credits is an org's credit counter as the guard uses it: a creditWindow
// in this process, or sharedCredits counted in the shared database.
type credits interface {
	// spend spends one credit at now if fewer than limit were spent in
	// the last 24 hours. If not, it returns how many seconds until one
	// frees up. Either way it returns the credits left, the
	// X-RATELIMIT-RESET header value and the time the credit is charged
	// at (for give). err is set only when the count could not be read.
	spend(ctx context.Context, now time.Time, limit int) (ok bool, retryAfter, left int, reset []string, charged time.Time, err error)
	// give returns a refused call's credit, charged at charged.
	give(charged time.Time)
}

// spend: see credits. The window charges a credit at now and never fails.
func (w *creditWindow) spend(_ context.Context, now time.Time, limit int) (ok bool, retryAfter, left int, reset []string, charged time.Time, err error) {
	ok, retryAfter, left, reset = w.take(now, limit)
	return ok, retryAfter, left, reset, now, nil
}

func (w *creditWindow) take(now time.Time, limit int) (ok bool, retryAfter int, left int, reset []string) {
	m := now.Unix() / 60
	w.mu.Lock()
	defer w.mu.Unlock()
	if m > w.minute {
		steps := m - w.minute
		if steps > 1440 {
			steps = 1440
		}
		for i := int64(1); i <= steps; i++ {
			b := &w.buckets[(w.minute+i)%1440]
			w.total -= int64(*b)
			*b = 0
		}
		w.minute = m
		w.advanceOldest()
	}
	if w.total >= int64(limit) {
		// The oldest non-empty bucket frees first.
		if w.total > 0 {
			return false, int((w.oldest+1440)*60 - now.Unix()), 0, w.resetHeader(now)
		}
		return false, 60, 0, w.resetHeader(now)
	}
	if w.total == 0 {
		w.oldest = m
	}
	w.buckets[m%1440]++
	w.total++
	return true, 0, limit - int(w.total), w.resetHeader(now)
}

// advanceOldest moves oldest past buckets that expired or were emptied.
func (w *creditWindow) advanceOldest() {
	if w.total == 0 {
		return
	}
	if w.oldest <= w.minute-1440 {
		w.oldest = w.minute - 1439
	}
	for w.buckets[w.oldest%1440] == 0 && w.oldest < w.minute {
		w.oldest++
	}
}

// resetHeader is X-RATELIMIT-RESET: when the next spent credit frees, as
// Unix time in milliseconds, or now when none is spent. Zoho documents no
// rate-limit headers; @dereekb/zoho, which reads these, parses this one as
// a Unix time in milliseconds (new Date(Number(header)), its
// UnixDateTimeMillisecondsNumber) and waits until it.
func (w *creditWindow) resetHeader(now time.Time) []string {
	at := now.UnixMilli()
	if w.total > 0 {
		at = (w.oldest + 1440) * 60_000
	}
	return w.reset.header(at)
}

// give returns the credit taken at taken (a refused call spends none),
// unless that minute has already left the window.
func (w *creditWindow) give(taken time.Time) {
	m := taken.Unix() / 60
	w.mu.Lock()
	defer w.mu.Unlock()
	if m > w.minute || w.minute-m >= 1440 {
		return
	}
	if b := &w.buckets[m%1440]; *b > 0 {
		*b--
		w.total--
		if *b == 0 && m == w.oldest {
			w.advanceOldest()
		}
	}
}

// The rate-limit headers, spelt as @dereekb/zoho reads them (header names
// are case-insensitive, RFC 9110 §5.1; Go sends its canonical form).
const (
	HeaderRateLimit     = "X-Ratelimit-Limit"
	HeaderRateRemaining = "X-Ratelimit-Remaining"
	HeaderRateReset     = "X-Ratelimit-Reset"
)

func rateLimitHeader(limit []string, remaining string, reset []string) http.Header {
	return http.Header{HeaderRateLimit: limit, HeaderRateRemaining: {remaining}, HeaderRateReset: reset}
}

// remainingValue holds one formatted X-RATELIMIT-REMAINING: the string, its
// one-element value slice and the bytes behind them in a single
// allocation.
type remainingValue struct {
	v   [1]string
	buf [20]byte
}

// SetRateLimit sets the rate-limit headers on a granted call's response:
// the org's credits for 24 hours, those left after this call, and when the
// next spent one frees (see resetHeader). Limit and reset are formatted
// once and shared; the remaining count costs one small allocation.
func (t Ticket) SetRateLimit(h http.Header) {
	if t.limit == nil {
		return
	}
	rv := new(remainingValue)
	b := strconv.AppendInt(rv.buf[:0], int64(t.left), 10)
	rv.v[0] = unsafe.String(&rv.buf[0], len(b))
	h[HeaderRateLimit] = t.limit
	h[HeaderRateRemaining] = rv.v[:]
	h[HeaderRateReset] = t.reset
}
