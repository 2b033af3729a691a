package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/crmguard/crmguard"
)

// CreateTransferJob records a transfer-and-delete job.
func (s *Store) CreateTransferJob(ctx context.Context, j *crmguard.TransferJob) error {
	items, err := json.Marshal(j.Items)
	if err != nil {
		return err
	}
	var done int64
	if !j.CompletedTime.IsZero() {
		done = ms(j.CompletedTime)
	}
	_, err = s.exec(ctx, `INSERT INTO transfer_jobs (org_id, id, status, items, created_by, created_at, completed_at)
		VALUES (?,?,?,?,?,?,?)`, j.OrgID, j.ID, j.Status, string(items), j.CreatedBy, ms(j.CreatedTime), done)
	return err
}

// GetTransferJob returns one job of the org.
func (s *Store) GetTransferJob(ctx context.Context, org, id crmguard.ID) (*crmguard.TransferJob, error) {
	var j crmguard.TransferJob
	var items string
	var created, done int64
	err := s.r().QueryRowContext(ctx, `SELECT org_id, id, status, items, created_by, created_at, completed_at
		FROM transfer_jobs WHERE org_id = ? AND id = ?`, org, id).
		Scan(&j.OrgID, &j.ID, &j.Status, &items, &j.CreatedBy, &created, &done)
	if err != nil {
		return nil, mapErr(err)
	}
	if err := json.Unmarshal([]byte(items), &j.Items); err != nil {
		return nil, err
	}
	j.CreatedTime = fromMS(created)
	if done != 0 {
		j.CompletedTime = fromMS(done)
	}
	return &j, nil
}

// MoveReports points the reporting line of from's reports at to.
func (s *Store) MoveReports(ctx context.Context, org, from, to, by crmguard.ID, at time.Time) (int, error) {
	res, err := s.exec(ctx, `UPDATE users SET reporting_to = ?, modified_by = ?, modified_at = ?
		WHERE org_id = ? AND reporting_to = ? AND id <> ?`, to, by, ms(at), org, from, from)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
