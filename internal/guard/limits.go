package guard

import (
	"sync"
	"time"
)

// creditWindow counts API credits over a rolling 24 hours in one-minute
// buckets.
type creditWindow struct {
	mu      sync.Mutex
	buckets [1440]int32
	minute  int64 // the minute of the newest bucket written or expired
	total   int64
}

// take spends one credit at now if fewer than limit were spent in the last
// 24 hours. If not, it returns how many seconds until one frees up.
func (w *creditWindow) take(now time.Time, limit int) (ok bool, retryAfter int) {
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
	}
	if w.total >= int64(limit) {
		// The oldest non-empty bucket frees first.
		for i := int64(1); i <= 1440; i++ {
			if w.buckets[(m+i)%1440] != 0 {
				return false, int((m+i)*60 - now.Unix())
			}
		}
		return false, 60
	}
	w.buckets[m%1440]++
	w.total++
	return true, 0
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
	}
}
