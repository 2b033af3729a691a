package guard

import "testing"

// TestReleaseKeepsACurrentBatch: a return of stale batches that finds the
// batch reserved in the current minute meanwhile (a refill ran while it
// waited) keeps it; without a minute it gives back whatever is there.
func TestReleaseKeepsACurrentBatch(t *testing.T) {
	c := newSharedCredits(1, nil) // no store: a release that asked it would panic
	c.minute, c.avail = 100, 5
	c.release(100)
	c.release(99)
	if c.avail != 5 {
		t.Fatalf("a current batch released as stale: %d credits left, want 5", c.avail)
	}
	c.avail = 0
	c.release(0) // nothing to give back: the store is not asked
}
