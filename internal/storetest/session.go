package storetest

import (
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var sessionTests = []test{
	{"RoundTripAndDelete", testSessions},
}

func testSessions(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	bob := f.addUser(f.tenant, "bob@x.test")
	mk := func(label string, user crmguard.ID) *crmguard.Session {
		se := &crmguard.Session{ID: f.ids.New(), OrgID: f.org.ID, UserID: user, TokenHash: hash(label),
			CreatedTime: f.now, ExpiresAt: f.at(12 * time.Hour)}
		must(t, s.CreateSession(f.ctx, se), "CreateSession")
		return se
	}
	a1, a2, a3, b := mk("a1", f.user.ID), mk("a2", f.user.ID), mk("a3", f.user.ID), mk("b", bob.ID)
	got, err := s.GetSession(f.ctx, a1.TokenHash)
	must(t, err, "GetSession")
	same(t, "session read back", got, a1)
	_, err = s.GetSession(f.ctx, hash("unknown"))
	wantErr(t, err, crmguard.ErrNotFound, "GetSession of an unknown hash")
	dup := *a1
	dup.ID = f.ids.New()
	wantErr(t, s.CreateSession(f.ctx, &dup), crmguard.ErrConflict, "CreateSession with a used hash")

	must(t, s.DeleteSession(f.ctx, a1.TokenHash), "DeleteSession")
	_, err = s.GetSession(f.ctx, a1.TokenHash)
	wantErr(t, err, crmguard.ErrNotFound, "GetSession after the delete")

	other := f.addTenant("Other", "o@other.test")
	if n, err := s.DeleteUserSessions(f.ctx, other.org.ID, f.user.ID); err != nil || n != 0 {
		t.Errorf("DeleteUserSessions through another org = %d, %v; want 0", n, err)
	}
	if n, err := s.DeleteUserSessions(f.ctx, f.org.ID, f.user.ID); err != nil || n != 2 {
		t.Errorf("DeleteUserSessions = %d, %v; want 2", n, err)
	}
	for _, se := range []*crmguard.Session{a2, a3} {
		_, err := s.GetSession(f.ctx, se.TokenHash)
		wantErr(t, err, crmguard.ErrNotFound, "GetSession after DeleteUserSessions")
	}
	if got, err := s.GetSession(f.ctx, b.TokenHash); err != nil || got.UserID != bob.ID {
		t.Errorf("another user's session: %+v, %v", got, err)
	}
	if n, err := s.DeleteUserSessions(f.ctx, f.org.ID, f.user.ID); err != nil || n != 0 {
		t.Errorf("second DeleteUserSessions = %d, %v; want 0", n, err)
	}
}
