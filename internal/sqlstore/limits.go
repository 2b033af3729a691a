package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
)

// The limits every instance sharing a PostgreSQL database counts together:
// API credits (reserved in batches), the live instances that split an
// org's concurrency, and failed sign-ins (migrations/postgres/0002). None
// of these statements runs in InTx: they take no write lock, send no
// change notification (a spent credit changes nothing a cache holds) and
// lock only the rows they count. On SQLite, one process, they return
// errors.ErrUnsupported: the callers keep those counts in memory there.

// ReserveCredits reserves up to want of org's API credits in minute (Unix
// time / 60), without letting the credits counted over the 1440 minutes
// up to it exceed limit. In the same transaction it first gives back
// unspent credits of this caller's earlier batch, reserved in minute prev.
// It returns the credits granted, the org's count after the grant (spent or
// reserved, by every instance, over the window) and the oldest minute that
// holds any of them (0 when none).
//
// The org's row in api_credit_orgs is locked for the transaction, so
// reservations for one org take turns and the count they read is exact.
func (s *Store) ReserveCredits(ctx context.Context, org crmguard.ID, minute int64, limit, want int, prev int64, unspent int) (granted int, counted, oldest int64, err error) {
	if s.pg == nil {
		return 0, 0, 0, errors.ErrUnsupported
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, 0, mapErr(err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	q := rebound{tx}
	if _, err = q.ExecContext(ctx, `INSERT INTO api_credit_orgs (org_id) VALUES (?)
		ON CONFLICT (org_id) DO UPDATE SET org_id = excluded.org_id`, org); err != nil {
		return 0, 0, 0, mapErr(err)
	}
	if unspent > 0 {
		if _, err = q.ExecContext(ctx, `UPDATE api_credits SET used = GREATEST(used - ?, 0)
			WHERE org_id = ? AND minute = ?`, unspent, org, prev); err != nil {
			return 0, 0, 0, mapErr(err)
		}
	}
	if prev != minute {
		// The first reservation of a minute drops the minutes that left
		// the window.
		if _, err = q.ExecContext(ctx, `DELETE FROM api_credits WHERE org_id = ? AND minute <= ?`, org, minute-1440); err != nil {
			return 0, 0, 0, mapErr(err)
		}
	}
	var old sql.NullInt64
	if err = q.QueryRowContext(ctx, `SELECT COALESCE(SUM(used), 0), MIN(minute) FILTER (WHERE used > 0)
		FROM api_credits WHERE org_id = ? AND minute > ?`, org, minute-1440).Scan(&counted, &old); err != nil {
		return 0, 0, 0, mapErr(err)
	}
	granted = int(max(0, min(int64(want), int64(limit)-counted)))
	if granted > 0 {
		if _, err = q.ExecContext(ctx, `INSERT INTO api_credits (org_id, minute, used) VALUES (?, ?, ?)
			ON CONFLICT (org_id, minute) DO UPDATE SET used = api_credits.used + excluded.used`, org, minute, granted); err != nil {
			return 0, 0, 0, mapErr(err)
		}
		counted += int64(granted)
		if !old.Valid || minute < old.Int64 {
			old = sql.NullInt64{Int64: minute, Valid: true}
		}
	}
	if err = s.commit(tx); err != nil {
		return 0, 0, 0, mapErr(err)
	}
	return granted, counted, old.Int64, nil
}

// ReturnCredits gives back n credits reserved for org in minute and not
// spent: a refused call's refund after its batch ended, or the unspent
// batches of an instance that stops.
func (s *Store) ReturnCredits(ctx context.Context, org crmguard.ID, minute int64, n int) error {
	if s.pg == nil {
		return errors.ErrUnsupported
	}
	_, err := s.exec(ctx, `UPDATE api_credits SET used = GREATEST(used - ?, 0) WHERE org_id = ? AND minute = ?`, n, org, minute)
	return err
}

// dbNowMS is the database's clock in Unix milliseconds: instance leases
// are stamped and judged by one clock, whatever the instances' own say.
const dbNowMS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`

// Heartbeat renews instance's lease for the next lease and returns how many
// instances hold a live lease, itself included. Leases that ended an hour
// ago are dropped.
func (s *Store) Heartbeat(ctx context.Context, instance string, lease time.Duration) (live int, err error) {
	if s.pg == nil {
		return 0, errors.ErrUnsupported
	}
	if _, err := s.exec(ctx, `INSERT INTO instances (id, expires_at) VALUES (?, `+dbNowMS+` + ?)
		ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`, instance, lease.Milliseconds()); err != nil {
		return 0, err
	}
	err = s.w().QueryRowContext(ctx, `WITH gone AS (DELETE FROM instances WHERE expires_at < `+dbNowMS+` - 3600000)
		SELECT count(*) FROM instances WHERE expires_at > `+dbNowMS).Scan(&live)
	return max(live, 1), mapErr(err)
}

// LeaveInstances ends instance's lease at once: it stops.
func (s *Store) LeaveInstances(ctx context.Context, instance string) error {
	if s.pg == nil {
		return errors.ErrUnsupported
	}
	_, err := s.exec(ctx, `DELETE FROM instances WHERE id = ?`, instance)
	return err
}

// BeginSignIn weighs a sign-in attempt against the failures recorded under
// its keys: if, for some i, at least limits[i] failures of keys[i] are
// later than since, it records nothing and returns the time of the
// limits[i]-th newest of them (of the key whose one is the latest: the
// lock ends when that one ages out). Otherwise it records a failure at at
// under every key and returns the zero time. One transaction, which locks
// the table against other sign-ins for its few statements, so concurrent
// attempts on any instance count one after another. It also drops
// failures older than twice the window (at - since), which count for
// nothing any more.
func (s *Store) BeginSignIn(ctx context.Context, keys []string, limits []int, since, at time.Time) (blocked time.Time, err error) {
	if s.pg == nil {
		return time.Time{}, errors.ErrUnsupported
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, mapErr(err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	q := rebound{tx}
	if _, err = q.ExecContext(ctx, `LOCK TABLE signin_failures IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return time.Time{}, mapErr(err)
	}
	// Failures older than twice the window go: the slack spares an
	// instance whose clock runs behind this one's.
	if _, err = q.ExecContext(ctx, `DELETE FROM signin_failures WHERE at <= ?`, ms(since.Add(-at.Sub(since)))); err != nil {
		return time.Time{}, mapErr(err)
	}
	var sel strings.Builder
	args := make([]any, 0, 3*len(keys))
	sel.WriteString(`SELECT MAX(at) FROM (`)
	for i, k := range keys {
		if i > 0 {
			sel.WriteString(` UNION ALL `)
		}
		sel.WriteString(`(SELECT at FROM signin_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?)`)
		args = append(args, k, ms(since), max(limits[i]-1, 0))
	}
	sel.WriteString(`) AS reached`)
	var last sql.NullInt64
	if err = q.QueryRowContext(ctx, sel.String(), args...).Scan(&last); err != nil {
		return time.Time{}, mapErr(err)
	}
	if last.Valid {
		// Nothing was written: the rollback ends the transaction.
		_ = tx.Rollback()
		return fromMS(last.Int64), nil
	}
	var ins strings.Builder
	args = args[:0]
	ins.WriteString(`INSERT INTO signin_failures (key, at) VALUES `)
	for i, k := range keys {
		if i > 0 {
			ins.WriteString(`, `)
		}
		ins.WriteString(`(?, ?)`)
		args = append(args, k, ms(at))
	}
	if _, err = q.ExecContext(ctx, ins.String(), args...); err != nil {
		return time.Time{}, mapErr(err)
	}
	return time.Time{}, mapErr(s.commit(tx))
}

// EndSignIn ends an attempt BeginSignIn recorded at at: it drops every
// failure under the keys in clear, and one failure at at under each key in
// forget.
func (s *Store) EndSignIn(ctx context.Context, clear, forget []string, at time.Time) error {
	if s.pg == nil {
		return errors.ErrUnsupported
	}
	var b strings.Builder
	args := make([]any, 0, len(clear)+len(forget)+1)
	b.WriteString(`DELETE FROM signin_failures WHERE key IN (NULL`)
	for _, k := range clear {
		b.WriteString(`, ?`)
		args = append(args, k)
	}
	b.WriteString(`) OR id IN (SELECT DISTINCT ON (key) id FROM signin_failures WHERE at = ? AND key IN (NULL`)
	args = append(args, ms(at))
	for _, k := range forget {
		b.WriteString(`, ?`)
		args = append(args, k)
	}
	b.WriteString(`))`)
	_, err := s.exec(ctx, b.String(), args...)
	return err
}
