//go:build race

package cluster_test

// raceEnabled: the race detector slows every request several times, so
// timings measured under it say nothing of the product's.
const raceEnabled = true
