package storetest

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var txTests = []test{
	{"Commit", testTxCommit},
	{"Rollback", testTxRollback},
	{"RollbackOfCascades", testTxRollbackCascades},
	{"NestedShareTheTransaction", testTxNested},
	{"NestedRollback", testTxNestedRollback},
	{"GoesOnAfterConflict", testTxGoesOnAfterConflict},
}

var errBoom = errors.New("boom")

func testTxCommit(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	var bob *crmguard.User
	err := s.InTx(f.ctx, func(tx crmguard.Store) error {
		bob = f.newUser(f.tenant, "bob@x.test")
		if err := tx.CreateUser(f.ctx, bob); err != nil {
			return err
		}
		// The transaction reads its own writes.
		if got, err := tx.GetUserByEmail(f.ctx, f.org.ID, "BOB@x.test"); err != nil || got.ID != bob.ID {
			t.Errorf("read inside the transaction: %+v, %v", got, err)
		}
		return tx.AppendAudit(f.ctx, &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.now, Source: crmguard.SourceCLI,
			Action: "user.add", TargetType: "user", TargetID: bob.ID})
	})
	must(t, err, "InTx")
	got, err := s.GetUser(f.ctx, f.org.ID, bob.ID)
	must(t, err, "GetUser after the commit")
	same(t, "committed user", got, bob)
	if evs, err := s.ListAudit(f.ctx, f.org.ID, crmguard.AuditFilter{Target: bob.ID}); err != nil || len(evs) != 1 {
		t.Errorf("committed audit event: %v, %v", seqsOf(evs), err)
	}
}

// testTxRollback: an error from fn is returned and undoes every write.
func testTxRollback(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	seq0, err := s.LastAuditSeq(f.ctx)
	must(t, err, "LastAuditSeq")
	var bob *crmguard.User
	err = s.InTx(f.ctx, func(tx crmguard.Store) error {
		bob = f.newUser(f.tenant, "bob@x.test")
		steps := []error{
			tx.CreateUser(f.ctx, bob),
			tx.CreateUsers(f.ctx, []*crmguard.User{f.newUser(f.tenant, "c@x.test")}),
			tx.UpdateOrg(f.ctx, &crmguard.Org{ID: f.org.ID, CompanyName: "Changed", CreatedTime: f.now, ModifiedTime: f.now}),
			tx.CreateRole(f.ctx, &crmguard.Role{ID: f.ids.New(), OrgID: f.org.ID, Name: "Temp", DisplayLabel: "Temp", CreatedTime: f.now, ModifiedTime: f.now}),
			tx.PutOrgPhoto(f.ctx, f.org.ID, f.ids.New(), "image/png", []byte("png"), f.user.ID, f.now),
			tx.CreateClient(f.ctx, &crmguard.Client{ID: f.ids.New(), OrgID: f.org.ID, ClientID: "1000.TEMP", SecretHash: hash("s"),
				Name: "Temp", Type: crmguard.ClientSelf, CreatedTime: f.now}),
			tx.AppendAudit(f.ctx, &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.now, Source: crmguard.SourceCLI, Action: "user.add", TargetType: "user"}),
		}
		if err := errors.Join(steps...); err != nil {
			t.Errorf("writes inside the transaction: %v", err)
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "InTx whose fn fails")
	_, err = s.GetUser(f.ctx, f.org.ID, bob.ID)
	wantErr(t, err, crmguard.ErrNotFound, "user of a rolled-back transaction")
	if n, err := s.CountUsers(f.ctx, f.org.ID, ""); err != nil || n != 1 {
		t.Errorf("users after the rollback: %d, %v; want 1", n, err)
	}
	if o, err := s.GetOrg(f.ctx, f.org.ID); err != nil || o.CompanyName != f.org.CompanyName {
		t.Errorf("org after the rollback: %+v, %v", o, err)
	}
	_, err = s.GetRoleByName(f.ctx, f.org.ID, "Temp")
	wantErr(t, err, crmguard.ErrNotFound, "role of a rolled-back transaction")
	if id, err := s.OrgPhotoID(f.ctx, f.org.ID); err != nil || id != 0 {
		t.Errorf("photo after the rollback: %v, %v", id, err)
	}
	_, err = s.GetClient(f.ctx, "1000.TEMP")
	wantErr(t, err, crmguard.ErrNotFound, "client of a rolled-back transaction")
	if seq, err := s.LastAuditSeq(f.ctx); err != nil || seq != seq0 {
		t.Errorf("LastAuditSeq after the rollback = %d, %v; want %d", seq, err, seq0)
	}
	// The store still works, and the rolled-back names are free.
	f.addUser(f.tenant, "bob@x.test")
	f.addRole(f.org.ID, "Temp", 0)
}

// testTxRollbackCascades: methods that write several rows in a transaction
// of their own join the caller's, so its rollback undoes them too.
func testTxRollbackCascades(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	c := f.addClient("1000.X")
	g := f.newGrant("code", c.ClientID, f.now)
	must(t, s.CreateGrant(f.ctx, g), "CreateGrant")
	rt := f.addRefresh("r", c.ClientID, f.user.ID, g.ID, f.now)
	at := f.addAccess("a", rt, c.ClientID, f.user.ID, g.ID, f.now)
	when := f.at(time.Minute)
	err := s.InTx(f.ctx, func(tx crmguard.Store) error {
		if _, err := tx.UseGrant(f.ctx, g.CodeHash, when); err != nil {
			return err
		}
		if _, _, err := tx.RevokeGrantTokens(f.ctx, g.ID, when); err != nil {
			return err
		}
		if err := tx.RevokeUserTokens(f.ctx, f.org.ID, f.user.ID, when); err != nil {
			return err
		}
		if err := tx.DeleteClient(f.ctx, f.org.ID, c.ClientID, when); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "InTx whose fn fails")
	if _, err := s.GetClient(f.ctx, c.ClientID); err != nil {
		t.Errorf("client after a rolled-back DeleteClient: %v", err)
	}
	if got, err := s.GetGrant(f.ctx, g.CodeHash); err != nil || got.UsedAt != nil {
		t.Errorf("grant after a rolled-back UseGrant: %+v, %v", got, err)
	}
	wantRefresh(t, f, s, rt.TokenHash, time.Time{}, "refresh token after rolled-back revocations")
	wantAccess(t, f, s, at.TokenHash, time.Time{}, "access token after rolled-back revocations")
}

// testTxNested: InTx on the transaction's store runs in the same
// transaction: the inner writes commit with the outer ones.
func testTxNested(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	var bob, cy *crmguard.User
	err := s.InTx(f.ctx, func(tx crmguard.Store) error {
		bob = f.newUser(f.tenant, "bob@x.test")
		if err := tx.CreateUser(f.ctx, bob); err != nil {
			return err
		}
		return tx.InTx(f.ctx, func(inner crmguard.Store) error {
			if _, err := inner.GetUser(f.ctx, f.org.ID, bob.ID); err != nil {
				t.Errorf("the inner transaction does not see the outer one's write: %v", err)
			}
			cy = f.newUser(f.tenant, "cy@x.test")
			return inner.CreateUser(f.ctx, cy)
		})
	})
	must(t, err, "nested InTx")
	for _, u := range []*crmguard.User{bob, cy} {
		if _, err := s.GetUser(f.ctx, f.org.ID, u.ID); err != nil {
			t.Errorf("user %s after the nested commit: %v", u.Email, err)
		}
	}
}

// testTxNestedRollback: a failing inner InTx, or an outer fn failing after
// an inner one succeeded, leaves nothing of either.
func testTxNestedRollback(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	for name, fail := range map[string][2]bool{"inner fails": {true, false}, "outer fails after the inner": {false, true}} {
		outer, inner := f.newUser(f.tenant, "outer@x.test"), f.newUser(f.tenant, "inner@x.test")
		err := s.InTx(f.ctx, func(tx crmguard.Store) error {
			if err := tx.CreateUser(f.ctx, outer); err != nil {
				return err
			}
			err := tx.InTx(f.ctx, func(in crmguard.Store) error {
				if err := in.CreateUser(f.ctx, inner); err != nil {
					return err
				}
				if fail[0] {
					return errBoom
				}
				return nil
			})
			if err != nil {
				return err
			}
			if fail[1] {
				return errBoom
			}
			return nil
		})
		wantErr(t, err, errBoom, name+": nested InTx")
		for _, u := range []*crmguard.User{outer, inner} {
			_, err := s.GetUser(f.ctx, f.org.ID, u.ID)
			wantErr(t, err, crmguard.ErrNotFound, name+": user "+u.Email+" after the rollback")
		}
	}
}

var installTests = []test{
	{"TokenKey", testTokenKey},
	{"Close", testClose},
}

// testTokenKey: callers racing on a store with no key yet all get the same
// random key, and keep getting it.
func testTokenKey(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	keys := make([][]byte, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = s.TokenKey(f.ctx) })
	}
	wg.Wait()
	must(t, errors.Join(errs...), "concurrent TokenKey")
	if len(keys[0]) < 16 || bytes.Equal(keys[0], make([]byte, len(keys[0]))) {
		t.Fatalf("key %x: want at least 16 random bytes", keys[0])
	}
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatalf("concurrent first calls got different keys: %x and %x", keys[0], k)
		}
	}
	again, err := s.TokenKey(f.ctx)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Errorf("TokenKey again: %x, %v; want the first key", again, err)
	}
	err = s.InTx(f.ctx, func(tx crmguard.Store) error {
		k, err := tx.TokenKey(f.ctx)
		if err == nil && !bytes.Equal(k, keys[0]) {
			t.Errorf("TokenKey in a transaction: %x, want the first key", k)
		}
		return err
	})
	must(t, err, "TokenKey in a transaction")
}

// testClose: Close succeeds, and a closed store answers with errors, not
// a panic. (open's cleanup closes it again.)
func testClose(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	must(t, s.Close(), "Close")
	if _, err := s.GetOrg(f.ctx, f.org.ID); err == nil {
		t.Error("GetOrg on a closed store succeeded")
	}
}
