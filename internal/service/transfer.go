package service

import (
	"context"
	"errors"

	"github.com/crmguard/crmguard"
)

// TransferInput is one user to delete with Zoho's transfer-and-delete
// (https://www.zoho.com/crm/developer/docs/api/v8/transfer_records-delete_user.html):
// To takes over what the user had; Records, Assignment and Criteria say
// what moves. crmguard keeps no CRM records, rules or criteria, so the
// three flags are recorded in the job and move nothing.
type TransferInput struct {
	UserID                        crmguard.ID
	To                            crmguard.ID
	Records, Assignment, Criteria bool
	// MoveSubordinate is the user the deleted user's direct reports report
	// to afterwards (move_subordinate.id); 0 means To.
	MoveSubordinate crmguard.ID
}

// ItemError is the error of item Index of a batch request.
type ItemError struct {
	Index int
	Err   error
}

func (e *ItemError) Error() string { return e.Err.Error() }

// Unwrap lets crmguard.AsError and errors.As find the item's error.
func (e *ItemError) Unwrap() error { return e.Err }

// msgInvalidData is Zoho's generic INVALID_DATA message, which its
// OpenAPI file gives the transfer's errors about a user id.
const msgInvalidData = "invalid data"

// transferErr is INVALID_DATA about the id inside object parent
// (transfer or move_subordinate) of an item.
func transferErr(parent string, more crmguard.Details) *FieldError {
	d := crmguard.Details{"api_name": "id"}
	for k, v := range more {
		d[k] = v
	}
	return &FieldError{Err: crmguard.NewError(crmguard.CodeInvalidData, msgInvalidData, d), Field: parent + ".id"}
}

// TransferAndDelete deletes each user as DeleteUser does, after moving
// what crmguard keeps of theirs: their direct reports go to MoveSubordinate
// (or To), they leave every territory (one they manage passes to To) and
// every user group they are a source of, the OAuth clients they made are
// deleted with every token those minted, and their own tokens are revoked. It runs as one job in one
// transaction: any item's error (an *ItemError) changes nothing. Zoho
// schedules the job and answers at once; crmguard finishes it before
// answering, so the job is already completed.
func (s *Service) TransferAndDelete(ctx context.Context, a crmguard.Actor, items []TransferInput) (*crmguard.TransferJob, error) {
	job := &crmguard.TransferJob{ID: s.ids.New(), OrgID: a.OrgID, Status: crmguard.TransferCompleted, CreatedBy: a.UserID}
	err := s.write(ctx, func(tx crmguard.Store) error {
		if err := s.requirePermission(ctx, tx, a, crmguard.PermManageUsers); err != nil {
			return err
		}
		org, err := tx.GetOrg(ctx, a.OrgID)
		if err != nil {
			return err
		}
		now := s.Now()
		job.CreatedTime, job.CompletedTime = now, now
		for i, in := range items {
			it, err := s.transferOne(ctx, tx, a, org, in)
			if err != nil {
				return &ItemError{Index: i, Err: err}
			}
			job.Items = append(job.Items, *it)
		}
		if err := tx.CreateTransferJob(ctx, job); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user.transfer_and_delete", "transfer_job", job.ID, nil, map[string]any{"items": job.Items})
	})
	if err != nil {
		return nil, err
	}
	return job, nil
}

// transferOne checks and carries out one item inside the job's transaction.
func (s *Service) transferOne(ctx context.Context, tx crmguard.Store, a crmguard.Actor, org *crmguard.Org, in TransferInput) (*crmguard.TransferItem, error) {
	u, err := tx.GetUser(ctx, a.OrgID, in.UserID)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, recordErr(crmguard.CodeInvalidData, msgInvalidID, "id", nil)
	} else if err != nil {
		return nil, err
	}
	if u.Status == crmguard.UserDeleted {
		return nil, crmguard.NewError(crmguard.CodeIDAlreadyDeleted, msgAlreadyDeleted, crmguard.Details{"id": u.ID.String()})
	}
	if err := s.requireAdminOver(ctx, tx, a, u); err != nil {
		return nil, err
	}
	if u.ID == org.PrimaryUserID {
		return nil, crmguard.NewError(crmguard.CodeInvalidRequest, msgPrimaryDelete, crmguard.Details{"id": u.ID.String()})
	}
	to, err := s.transferTarget(ctx, tx, a, u, in.To, "transfer")
	if err != nil {
		return nil, err
	}
	boss := to
	if in.MoveSubordinate != 0 {
		if boss, err = s.transferTarget(ctx, tx, a, u, in.MoveSubordinate, "move_subordinate"); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	// A new manager from below the deleted user first takes the deleted
	// user's place in the reporting line, so the move makes no cycle.
	if under, err := reportsUpTo(ctx, tx, a.OrgID, boss, u.ID); err != nil {
		return nil, err
	} else if under {
		boss.ReportingTo, boss.ModifiedBy, boss.ModifiedTime = u.ReportingTo, a.UserID, now
		if err := tx.UpdateUser(ctx, boss); err != nil {
			return nil, err
		}
	}
	moved, err := tx.MoveReports(ctx, a.OrgID, u.ID, boss.ID, a.UserID, now)
	if err != nil {
		return nil, err
	}
	clients, err := tx.ListClients(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	deleted := 0
	for _, c := range clients {
		if c.CreatedBy != u.ID {
			continue
		}
		if err := tx.DeleteClient(ctx, a.OrgID, c.ClientID, now); err != nil {
			return nil, err
		}
		deleted++
	}
	left, err := s.leaveTerritories(ctx, tx, a, u, to, now)
	if err != nil {
		return nil, err
	}
	groups, err := s.leaveGroups(ctx, tx, a, u, now)
	if err != nil {
		return nil, err
	}
	before := userAudit(u)
	u.Status, u.InviteHash, u.InviteExpires = crmguard.UserDeleted, nil, zeroTime
	u.ReportingTo, u.ModifiedBy, u.ModifiedTime = 0, a.UserID, now
	if err := tx.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if err := tx.RevokeUserTokens(ctx, a.OrgID, u.ID, now); err != nil {
		return nil, err
	}
	it := &crmguard.TransferItem{UserID: u.ID, To: to.ID, Records: in.Records, Assignment: in.Assignment, Criteria: in.Criteria,
		SubordinatesTo: boss.ID, SubordinatesMoved: moved, ClientsDeleted: deleted}
	after := userAudit(u)
	after["transfer"] = it
	after["territories"] = left
	after["user_groups"] = groups
	if err := s.audit(ctx, tx, a, "user.delete", "user", u.ID, before, after); err != nil {
		return nil, err
	}
	return it, nil
}

// transferTarget loads the user named to take over from u, refusing an
// unknown user, u itself and a user who is not active (Zoho's
// owner_status detail names the state).
func (s *Service) transferTarget(ctx context.Context, tx crmguard.Store, a crmguard.Actor, u *crmguard.User, id crmguard.ID, parent string) (*crmguard.User, error) {
	if id == u.ID {
		return nil, transferErr(parent, nil)
	}
	t, err := tx.GetUser(ctx, a.OrgID, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, transferErr(parent, nil)
	} else if err != nil {
		return nil, err
	}
	if !t.Active() {
		status := "inactive"
		if t.Status == crmguard.UserDeleted {
			status = crmguard.UserDeleted
		}
		return nil, transferErr(parent, crmguard.Details{"owner_status": status})
	}
	return t, nil
}

// reportsUpTo reports whether following v's reporting line upwards reaches
// boss. The walk stops at a loop or after as many steps as there are users.
func reportsUpTo(ctx context.Context, tx crmguard.Store, org crmguard.ID, v *crmguard.User, boss crmguard.ID) (bool, error) {
	seen := map[crmguard.ID]bool{v.ID: true}
	for next := v.ReportingTo; next != 0 && !seen[next]; {
		if next == boss {
			return true, nil
		}
		seen[next] = true
		m, err := tx.GetUser(ctx, org, next)
		if errors.Is(err, crmguard.ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		next = m.ReportingTo
	}
	return false, nil
}

// TransferJob returns a job of the org, or ErrInvalidTransferJob.
func (s *Service) TransferJob(ctx context.Context, org, id crmguard.ID) (*crmguard.TransferJob, error) {
	j, err := s.store.GetTransferJob(ctx, org, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInvalidTransferJob
	}
	return j, err
}

// ErrInvalidTransferJob answers a job_id no job of the org has.
var ErrInvalidTransferJob = crmguard.NewError(crmguard.CodeInvalidData, msgInvalidData, crmguard.Details{"param_name": "job_id"})
