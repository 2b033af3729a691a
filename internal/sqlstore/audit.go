package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

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

// ListAudit returns the org's newest events first.
func (s *Store) ListAudit(ctx context.Context, org crmguard.ID, limit int) ([]*crmguard.AuditEvent, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT seq, org_id, at, actor_id, source, client_ip, action, target_type,
		target_id, before_json, after_json FROM audit_events WHERE org_id = ? ORDER BY seq DESC LIMIT ?`, org, limit)
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
