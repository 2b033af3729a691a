package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var transferTests = []test{
	{"RoundTrip", testTransferJob},
	{"ItemWithZeroIDs", testTransferZeroIDs},
	{"MoveReports", testMoveReports},
}

// testTransferZeroIDs: an item whose IDs are unset reads back as written.
// The service always sets them today, so the bug this finds is latent: the
// job is stored and then cannot be read.
func testTransferZeroIDs(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	j := &crmguard.TransferJob{ID: f.ids.New(), OrgID: f.org.ID, Status: crmguard.TransferCompleted,
		Items: []crmguard.TransferItem{{UserID: f.ids.New(), To: f.user.ID}}, CreatedTime: f.now}
	must(t, s.CreateTransferJob(f.ctx, j), "CreateTransferJob")
	got, err := s.GetTransferJob(f.ctx, f.org.ID, j.ID)
	if errors.Is(err, crmguard.ErrInvalidID) {
		t.Fatalf("GetTransferJob of a stored job whose item has a zero ID: %v (the items' JSON holds \"0\", which crmguard.ID does not read)", err)
	}
	must(t, err, "GetTransferJob of a job whose item has no SubordinatesTo")
	same(t, "transfer job read back", got, j)
}

func testTransferJob(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	j := &crmguard.TransferJob{ID: f.ids.New(), OrgID: f.org.ID, Status: crmguard.TransferCompleted,
		Items: []crmguard.TransferItem{
			{UserID: f.ids.New(), To: f.user.ID, Records: true, Assignment: true, Criteria: true,
				SubordinatesTo: f.user.ID, SubordinatesMoved: 3, ClientsDeleted: 2},
			{UserID: f.ids.New(), To: f.user.ID, SubordinatesTo: f.user.ID},
		},
		CreatedBy: f.user.ID, CreatedTime: f.now, CompletedTime: f.at(time.Second)}
	must(t, s.CreateTransferJob(f.ctx, j), "CreateTransferJob")
	got, err := s.GetTransferJob(f.ctx, f.org.ID, j.ID)
	must(t, err, "GetTransferJob")
	same(t, "transfer job read back", got, j)
	empty := &crmguard.TransferJob{ID: f.ids.New(), OrgID: f.org.ID, Status: crmguard.TransferCompleted, CreatedTime: f.now}
	must(t, s.CreateTransferJob(f.ctx, empty), "CreateTransferJob without items")
	got, err = s.GetTransferJob(f.ctx, f.org.ID, empty.ID)
	must(t, err, "GetTransferJob")
	same(t, "transfer job without items or completion time", got, empty)
	other := f.addTenant("Other", "o@other.test")
	_, err = s.GetTransferJob(f.ctx, other.org.ID, j.ID)
	wantErr(t, err, crmguard.ErrNotFound, "GetTransferJob through another org")
	_, err = s.GetTransferJob(f.ctx, f.org.ID, f.ids.New())
	wantErr(t, err, crmguard.ErrNotFound, "GetTransferJob of an unknown ID")
	wantErr(t, s.CreateTransferJob(f.ctx, j), crmguard.ErrConflict, "CreateTransferJob with a used ID")
}

func testMoveReports(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	from, to := f.addUser(f.tenant, "from@x.test"), f.addUser(f.tenant, "to@x.test")
	var reports []*crmguard.User
	for _, e := range []string{"r1@x.test", "r2@x.test"} {
		u := f.newUser(f.tenant, e)
		u.ReportingTo = from.ID
		must(t, s.CreateUser(f.ctx, u), "CreateUser")
		reports = append(reports, u)
	}
	other := f.addTenant("Other", "o@other.test")
	stranger := f.newUser(other, "s@other.test")
	stranger.ReportingTo = from.ID
	must(t, s.CreateUser(f.ctx, stranger), "CreateUser in another org")

	by, when := f.user.ID, f.at(time.Minute)
	n, err := s.MoveReports(f.ctx, f.org.ID, from.ID, to.ID, by, when)
	if err != nil || n != 2 {
		t.Errorf("MoveReports = %d, %v; want 2", n, err)
	}
	for _, u := range reports {
		if got, err := s.GetUser(f.ctx, f.org.ID, u.ID); err != nil || got.ReportingTo != to.ID {
			t.Errorf("report %s after MoveReports: %+v, %v", u.Email, got, err)
		}
	}
	if got, _ := s.GetUser(f.ctx, other.org.ID, stranger.ID); got == nil || got.ReportingTo != from.ID {
		t.Errorf("a user of another org moved: %+v", got)
	}
	if got, _ := s.GetUser(f.ctx, f.org.ID, to.ID); got == nil || got.ReportingTo != 0 {
		t.Errorf("the new manager's own line changed: %+v", got)
	}
	if n, err := s.MoveReports(f.ctx, f.org.ID, from.ID, to.ID, by, when); err != nil || n != 0 {
		t.Errorf("second MoveReports = %d, %v; want 0", n, err)
	}
}
