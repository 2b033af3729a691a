package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// SignInLog keeps failed sign-ins in a database every instance shares
// (PostgreSQL), so that the throttle's limits hold across all of them: five
// wrong passwords for a pair lock it whichever instances they reached. The
// store implements it; see Config.SignIns.
type SignInLog interface {
	// BeginSignIn, in one transaction that excludes every other sign-in's:
	// if for some i at least limits[i] failures of keys[i] are later than
	// since, it records nothing and returns the time of the limits[i]-th
	// newest (of the key whose one is the latest); otherwise it records a
	// failure at at under every key and returns the zero time.
	BeginSignIn(ctx context.Context, keys []string, limits []int, since, at time.Time) (time.Time, error)
	// EndSignIn drops every failure under the keys in clear and one at at
	// under each key in forget.
	EndSignIn(ctx context.Context, clear, forget []string, at time.Time) error
}

// signInTimeout bounds one sign-in's throttle statements: the throttle's
// methods run without the request's context.
const signInTimeout = 10 * time.Second

// beginShared is begin with the failures in the shared log: one
// transaction per attempt, which sign-in's password hashing dwarfs.
func (t *throttle) beginShared(now time.Time, keys [3]throttleKey) error {
	ctx, cancel := context.WithTimeout(context.Background(), signInTimeout)
	defer cancel()
	key, err := t.key(ctx)
	if err != nil {
		return err
	}
	names := []string{logKey(key, keys[0]), logKey(key, keys[1]), logKey(key, keys[2])}
	limits := []int{keys[0].limit, keys[1].limit, keys[2].limit}
	reached, err := t.shared.BeginSignIn(ctx, names, limits, now.Add(-throttleWindow), now)
	if err != nil {
		return err
	}
	if !reached.IsZero() {
		// Refused until the failure that reached the limit ages out.
		return &ThrottledError{Wait: max(time.Millisecond, throttleWindow-now.Sub(reached))}
	}
	return nil
}

// endShared ends an attempt in the shared log. Should the database not
// answer, the attempt stays counted as a failure: the throttle errs on the
// safe side.
func (t *throttle) endShared(at time.Time, clear []throttleKey, forget []throttleKey) {
	ctx, cancel := context.WithTimeout(context.Background(), signInTimeout)
	defer cancel()
	key, err := t.key(ctx)
	if err != nil {
		return // the failures stay counted: the safe side
	}
	names := func(ks []throttleKey) []string {
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = logKey(key, k)
		}
		return out
	}
	_ = t.shared.EndSignIn(ctx, names(clear), names(forget), at)
}

// logKey is a key as the shared log stores it: its HMAC-SHA-256 under the
// installation key, in hex. The log then holds no e-mail or address, not
// even one a guess could find by hashing every IPv4 address or a list of
// e-mails (a plain hash would allow that), and no NUL byte (the pair's
// separator), which PostgreSQL's text refuses.
func logKey(key []byte, k throttleKey) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(k.key))
	return hex.EncodeToString(m.Sum(nil))
}
