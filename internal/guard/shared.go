package guard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
)

// SharedLimits is the database several instances share (PostgreSQL), as
// the pipeline needs it to count an org's limits across all of them. The
// store implements it; see Config.Shared.
type SharedLimits interface {
	// ReserveCredits reserves up to want of org's credits in minute
	// (Unix time / 60) without letting the org's count over the 1440
	// minutes up to it pass limit, after giving back unspent credits of
	// this instance's batch of minute prev. It returns the credits
	// granted, the org's count after the grant and the oldest minute
	// that holds any (0 when none).
	ReserveCredits(ctx context.Context, org crmguard.ID, minute int64, limit, want int, prev int64, unspent int) (granted int, counted, oldest int64, err error)
	// ReturnCredits gives back n credits reserved in minute, unspent.
	ReturnCredits(ctx context.Context, org crmguard.ID, minute int64, n int) error
	// Heartbeat renews instance's lease for lease and returns how many
	// instances hold a live one, itself included.
	Heartbeat(ctx context.Context, instance string, lease time.Duration) (int, error)
	// LeaveInstances ends instance's lease.
	LeaveInstances(ctx context.Context, instance string) error
}

// DefaultHeartbeat is how often an instance renews its lease in the shared
// database; an instance is live for three heartbeats after its last.
const DefaultHeartbeat = 2 * time.Second

// How the limits are shared, when Config.Shared is set:
//
// Credits. Each instance reserves an org's credits from the database in
// batches, in one short transaction that locks the org's row, sums its
// last 1440 minutes and grants at most what the limit leaves; it then
// spends the batch from memory, with no database access. A batch is spent
// only in the minute it was reserved in; what is left of it goes back to
// the database with the next reservation after the minute turns, at the
// first heartbeat after it turns, or when the instance stops (Share). The
// org-wide count of credits therefore never passes the limit: no
// overshoot. The cost is under-use: while one instance refuses a call
// because the database has nothing left, each other instance may hold up
// to maxBatch(limit)-1 reserved credits it has not spent yet
// (maxBatch(limit) when a refund just gave one back), that is at most 0.5%
// of the daily budget per other instance, until the minute turns and a
// heartbeat passes. An instance that crashes loses its unspent batch until
// that minute leaves the 24-hour window. An instance refused by the
// database refuses the org's calls from memory for up to a second (wall
// clock) before it asks again, so a flood of refused calls costs one
// query a second.
//
// A batch adapts to the org's rate on this instance: it starts at one
// credit, doubles each time a batch is spent within batchGrowWithin of its
// reservation, halves when the minute turns with more than half of it
// unspent, and never exceeds maxBatch(limit). A busy org thus reserves
// once per few seconds per instance, whatever its rate; an org with 200
// credits a day or fewer reserves every credit, one transaction each.
// Minutes are read from each instance's own clock: instances whose clocks
// disagree by d can together pass the limit by the credits spent in d at
// the edge of the window.
//
// X-RATELIMIT-REMAINING is the limit minus the org-wide count as of this
// instance's last reservation, plus what is left of its batch.
//
// Concurrency. An instance allows each client max(1, limit/live) calls in
// flight, live being the instances whose lease (renewed every heartbeat,
// valid three) has not ended. Calls in flight are never shared: a client
// whose calls all reach one instance gets that instance's share, not the
// full limit, and a limit below the number of instances still allows one
// call per instance. An instance that joins counts the others at once;
// they count it within a heartbeat, and until then the org-wide total may
// pass the limit by the newcomer's share. One that stops ends its lease at
// once; one that crashes is counted until its lease ends.
type sharing struct {
	store    SharedLimits
	instance string
	every    time.Duration
	live     atomic.Int32
}

func newSharing(store SharedLimits, every time.Duration) *sharing {
	if every <= 0 {
		every = DefaultHeartbeat
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	sh := &sharing{store: store, instance: hex.EncodeToString(b[:]), every: every}
	sh.live.Store(1)
	sh.beat(context.Background())
	return sh
}

// beat renews the lease and reads how many instances are live. When the
// database does not answer, the last count stands.
func (sh *sharing) beat(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, sh.every)
	defer cancel()
	if n, err := sh.store.Heartbeat(ctx, sh.instance, 3*sh.every); err == nil {
		sh.live.Store(int32(max(1, n)))
	}
}

// concurrency is this instance's share of a client's concurrency limit.
func (sh *sharing) concurrency(limit int32) int32 {
	return max(1, limit/sh.live.Load())
}

// Share keeps this instance's lease in the shared database until ctx ends;
// then it gives back the credits it reserved and did not spend, and ends
// the lease. Without Config.Shared it returns at once. The stack runs it
// beside its watcher.
func (g *Guard) Share(ctx context.Context) {
	sh := g.share
	if sh == nil {
		return
	}
	t := time.NewTicker(sh.every)
	defer t.Stop()
	var releasing atomic.Bool
	for {
		select {
		case <-t.C:
			sh.beat(ctx)
			// Beside the heartbeat, not before the next one: a return can
			// wait for an org's reservation, and a late beat lets the
			// lease lapse (the others would then count one instance less).
			if releasing.CompareAndSwap(false, true) {
				go func(minute int64) {
					defer releasing.Store(false)
					g.releaseStale(minute)
				}(g.now().Unix() / 60)
			}
		case <-ctx.Done():
			g.releaseCredits()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = sh.store.LeaveInstances(ctx, sh.instance)
			cancel()
			return
		}
	}
}

// Instances is how many instances share the limits, this one included,
// as of the last heartbeat: 1 without Config.Shared.
func (g *Guard) Instances() int {
	if g.share == nil {
		return 1
	}
	return int(g.share.live.Load())
}

// releaseCredits gives back every org's unspent batch.
func (g *Guard) releaseCredits() {
	g.counters.Range(func(_, v any) bool {
		if c, ok := v.(*sharedCredits); ok {
			c.release(0)
		}
		return true
	})
}

// releaseStale gives back the unspent batches of minutes before minute:
// an org that makes no call after its minute turned holds nothing.
func (g *Guard) releaseStale(minute int64) {
	g.counters.Range(func(_, v any) bool {
		if c, ok := v.(*sharedCredits); ok {
			c.mu.Lock()
			stale := c.minute < minute && c.avail > 0
			c.mu.Unlock()
			if stale {
				c.release(minute)
			}
		}
		return true
	})
}

// dryFor is how long an instance refuses an org's calls from memory after
// the database granted it nothing, before it asks again.
const dryFor = time.Second

// maxBatch is the most credits one reservation takes: 0.5% of the limit,
// at least one.
func maxBatch(limit int) int { return max(1, limit/200) }

// batchGrowWithin: a batch spent this soon after its reservation makes the
// next one twice as big.
const batchGrowWithin = 5 * time.Second

// sharedCredits is an org's credits on one instance when they are counted
// in the shared database: the batch it reserved and has not spent yet.
type sharedCredits struct {
	org   crmguard.ID
	store SharedLimits

	mu       sync.Mutex
	minute   int64     // the minute the batch was reserved in
	avail    int       // the batch's credits not spent yet
	counted  int64     // the org's count after the batch's reservation
	oldest   int64     // the oldest minute holding credits, then (0: none)
	dry      bool      // the last reservation, in minute, granted nothing
	dryLimit int       // the limit it was refused under
	dryAt    time.Time // when, by the wall clock
	reset    resetMemo

	fill  sync.Mutex // one reservation at a time
	batch int        // the size of the next reservation
	since time.Time  // when the batch was reserved
}

func newSharedCredits(org crmguard.ID, store SharedLimits) *sharedCredits {
	return &sharedCredits{org: org, store: store, batch: 1}
}

// spend (see credits) spends one credit at now, from the batch, or from a
// new batch reserved in the database when the batch is spent or its
// minute is over.
func (c *sharedCredits) spend(ctx context.Context, now time.Time, limit int) (ok bool, retryAfter, left int, reset []string, charged time.Time, err error) {
	m := now.Unix() / 60
	c.mu.Lock()
	if m <= c.minute {
		// A call whose clock read came before the minute turned spends
		// from the batch of the new minute.
		if done, ok, retryAfter, left, reset, charged := c.fromBatch(now, limit); done {
			c.mu.Unlock()
			return ok, retryAfter, left, reset, charged, nil
		}
	}
	c.mu.Unlock()
	return c.refill(ctx, now, limit)
}

// fromBatch spends a credit of the current minute's batch, or refuses
// while the database has lately had none to give; done is false when
// neither applies and a reservation is due. c.mu is held.
func (c *sharedCredits) fromBatch(now time.Time, limit int) (done, ok bool, retryAfter, left int, reset []string, charged time.Time) {
	if c.avail > 0 {
		c.avail--
		left, reset = c.left(limit), c.resetHeader(now)
		return true, true, 0, left, reset, time.Unix(c.minute*60, 0)
	}
	if c.dry && limit <= c.dryLimit && time.Since(c.dryAt) < dryFor {
		retryAfter, reset = c.refusal(now)
		return true, false, retryAfter, 0, reset, time.Time{}
	}
	return false, false, 0, 0, nil, time.Time{}
}

// refill reserves a new batch and spends one credit of it.
func (c *sharedCredits) refill(ctx context.Context, now time.Time, limit int) (ok bool, retryAfter, left int, reset []string, charged time.Time, err error) {
	c.fill.Lock()
	defer c.fill.Unlock()
	c.mu.Lock()
	m := max(now.Unix()/60, c.minute)
	if m == c.minute {
		// Another call may have reserved while this one waited.
		if done, ok, retryAfter, left, reset, charged := c.fromBatch(now, limit); done {
			c.mu.Unlock()
			return ok, retryAfter, left, reset, charged, nil
		}
		if !c.dry && now.Sub(c.since) < batchGrowWithin {
			c.batch *= 2
		}
	}
	prev, unspent := c.minute, 0
	if m != prev {
		// The batch's minute is over: what is left of it goes back with
		// this reservation. From here on a refund of a credit charged in
		// prev goes straight to the database.
		unspent = c.avail
		if 2*unspent > c.batch {
			c.batch /= 2
		}
		c.minute, c.avail, c.dry = m, 0, false
	}
	c.batch = min(max(c.batch, 1), maxBatch(limit))
	want := c.batch
	c.mu.Unlock()

	granted, counted, oldest, err := c.store.ReserveCredits(ctx, c.org, m, limit, want, prev, unspent)

	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		// Whether the old batch went back is unknown (a commit can fail
		// after it took effect): it is not spent here, so the count errs
		// on the safe side.
		return false, 0, 0, nil, time.Time{}, err
	}
	c.avail += granted
	c.counted, c.oldest, c.since = counted, oldest, now
	if c.avail == 0 {
		c.dry, c.dryLimit, c.dryAt = true, limit, time.Now()
		retryAfter, reset = c.refusal(now)
		return false, retryAfter, 0, reset, time.Time{}, nil
	}
	c.dry = false
	c.avail--
	return true, 0, c.left(limit), c.resetHeader(now), time.Unix(m*60, 0), nil
}

// left is the org's credits left: the limit less the org-wide count at the
// last reservation, plus what is left of the batch. c.mu is held.
func (c *sharedCredits) left(limit int) int {
	return max(0, limit-int(c.counted)+c.avail)
}

// refusal is the Retry-After and X-RATELIMIT-RESET of a call refused for
// want of credits. c.mu is held.
func (c *sharedCredits) refusal(now time.Time) (int, []string) {
	retry := 60
	if c.oldest > 0 {
		retry = max(1, int((c.oldest+1440)*60-now.Unix()))
	}
	return retry, c.resetHeader(now)
}

// resetHeader is creditWindow.resetHeader for the org-wide count. c.mu is
// held.
func (c *sharedCredits) resetHeader(now time.Time) []string {
	at := now.UnixMilli()
	if c.oldest > 0 {
		at = (c.oldest + 1440) * 60_000
	}
	return c.reset.header(at)
}

// give returns a refused call's credit, charged at taken: to the batch
// when it is still the one it came from, else to the database.
func (c *sharedCredits) give(taken time.Time) {
	m := taken.Unix() / 60
	c.mu.Lock()
	if m == c.minute {
		c.avail++
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Should the database not answer, the credit stays spent: the count
	// errs on the safe side.
	_ = c.store.ReturnCredits(ctx, c.org, m, 1)
}

// release gives the unspent batch back to the database: any batch, or,
// with before, one reserved in a minute before it (a reservation made
// while this waited for fill is current, and stays).
func (c *sharedCredits) release(before int64) {
	c.fill.Lock()
	defer c.fill.Unlock()
	c.mu.Lock()
	m, n := c.minute, c.avail
	if before != 0 && m >= before {
		n = 0
	}
	c.avail -= n
	c.mu.Unlock()
	if n == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Should this fail, the credits stay counted as spent: spending them
	// here after a return that took effect would pass the limit.
	_ = c.store.ReturnCredits(ctx, c.org, m, n)
}

// concurrencyShare says, for a Decision, how the limit was split.
func concurrencyShare(g *Guard, limit, allowed int32) string {
	return strconv.Itoa(int(allowed)) + " (this instance's share of " + strconv.Itoa(int(limit)) +
		" over " + strconv.Itoa(g.Instances()) + " instances)"
}
