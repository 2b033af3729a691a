package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmguard/crmguard"
)

// AppendAudit appends an event and sets its Seq.
func (s *Store) AppendAudit(ctx context.Context, e *crmguard.AuditEvent) error {
	row := s.w().QueryRowContext(ctx, `INSERT INTO audit_events (org_id, at, actor_id, source, client_ip, action,
		target_type, target_id, before_json, after_json) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING seq`,
		e.OrgID, ms(e.Time), e.ActorID, e.Source, e.ClientIP, e.Action, e.TargetType, e.TargetID,
		nullJSON(e.Before), nullJSON(e.After))
	return mapErr(row.Scan(&e.Seq))
}

func nullJSON(b json.RawMessage) sql.NullString {
	if b == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: string(b), Valid: true}
}

// ListAudit returns the org's events that f selects, newest first. The
// cursor and the time range are always in the query (open ends as the
// widest values), so the statement has one of twelve shapes and each is
// prepared once. Actor, target and exact action each have an index that
// ends in seq (migration 0006), so those filters read only matching rows,
// in order; a prefix reads the org's events newest first until the page is
// full.
func (s *Store) ListAudit(ctx context.Context, org crmguard.ID, f crmguard.AuditFilter) ([]*crmguard.AuditEvent, error) {
	before, since, until := int64(math.MaxInt64), int64(math.MinInt64), int64(math.MaxInt64)
	if f.Before > 0 {
		before = f.Before
	}
	if !f.Since.IsZero() {
		since = ceilMS(f.Since)
	}
	if !f.Until.IsZero() {
		until = ceilMS(f.Until)
	}
	q := `SELECT seq, org_id, at, actor_id, source, client_ip, action, target_type, target_id, before_json, after_json
		FROM audit_events WHERE org_id = ? AND seq < ? AND at >= ? AND at < ?`
	args := []any{org, before, since, until}
	switch {
	case f.Action == "":
	case strings.HasSuffix(f.Action, "."):
		// substr rather than LIKE: LIKE ignores ASCII case in SQLite and
		// treats _ as a wildcard, and action names hold underscores.
		q += ` AND substr(action, 1, ?) = ?`
		args = append(args, utf8.RuneCountInString(f.Action), f.Action)
	default:
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.Actor != 0 {
		q += ` AND actor_id = ?`
		args = append(args, f.Actor)
	}
	if f.Target != 0 {
		q += ` AND target_id = ?`
		args = append(args, f.Target)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = crmguard.DefaultAuditLimit
	}
	rows, err := s.r().QueryContext(ctx, q+` ORDER BY seq DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (*crmguard.AuditEvent, error) {
		var e crmguard.AuditEvent
		var at int64
		var before, after sql.NullString
		if err := r.Scan(&e.Seq, &e.OrgID, &at, &e.ActorID, &e.Source, &e.ClientIP, &e.Action, &e.TargetType,
			&e.TargetID, &before, &after); err != nil {
			return nil, mapErr(err)
		}
		e.Time = fromMS(at)
		if before.Valid {
			e.Before = json.RawMessage(before.String)
		}
		if after.Valid {
			e.After = json.RawMessage(after.String)
		}
		return &e, nil
	})
}

// LastAuditSeq is the highest audit sequence number, 0 when there is none.
func (s *Store) LastAuditSeq(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := s.r().QueryRowContext(ctx, `SELECT max(seq) FROM audit_events`).Scan(&n)
	return n.Int64, mapErr(err)
}

// ceilMS is t in stored milliseconds, rounded up: events are stored to the
// millisecond, and one at 10 ms is before a bound of 10.5 ms, so it is
// outside [10.5 ms, …) and inside […, 10.5 ms).
func ceilMS(t time.Time) int64 {
	m := t.UnixMilli()
	if time.UnixMilli(m).Before(t) {
		m++
	}
	return m
}
