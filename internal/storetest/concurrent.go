package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// The rules that a single writer makes true on SQLite, checked where
// writers run side by side.

// testRefreshUseVsRevoke: a refresh whose transaction has used the token
// and is minting an access token from it, while a revocation of the token
// starts, ends with that access token revoked: the revocation waits for the
// use's transaction, as UseRefreshToken documents.
func testRefreshUseVsRevoke(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	rt := f.addRefresh("r", "1000.X", f.user.ID, 0, f.now)
	var minted *crmguard.AccessToken
	revoked := make(chan error, 1)
	err := s.InTx(f.ctx, func(tx crmguard.Store) error {
		used, err := tx.UseRefreshToken(f.ctx, rt.TokenHash, "1000.X", f.at(time.Second))
		if err != nil {
			return err
		}
		go func() { revoked <- s.RevokeRefreshToken(f.ctx, used.ID, f.at(2*time.Second)) }()
		// Let the revocation reach the database. The suite sees the store
		// only through crmguard.Store, so no signal says it is waiting;
		// a late start only makes the race untested (it then runs after
		// the commit and revokes the minted token the ordinary way), never
		// the test fail wrongly.
		time.Sleep(150 * time.Millisecond)
		minted = &crmguard.AccessToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: hash("minted"), RefreshID: used.ID,
			ClientID: "1000.X", UserID: f.user.ID, Scopes: used.Scopes, ExpiresAt: f.at(time.Hour), CreatedTime: f.at(time.Second)}
		return tx.CreateAccessToken(f.ctx, minted)
	})
	must(t, err, "refresh transaction")
	must(t, <-revoked, "RevokeRefreshToken beside the refresh")
	got, err := s.GetAccessToken(f.ctx, minted.TokenHash)
	must(t, err, "GetAccessToken")
	if got.RevokedAt == nil {
		t.Error("the access token minted beside a revocation of its refresh token is live")
	}
	_, err = s.UseRefreshToken(f.ctx, rt.TokenHash, "1000.X", f.at(time.Minute))
	wantErr(t, err, crmguard.ErrNotFound, "UseRefreshToken after the revocation")
}

// testUserConcurrentEmail: of many creations of one address at once, in
// different cases, one wins and the rest are ErrConflict.
func testUserConcurrentEmail(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	emails := []string{"race@x.test", "RACE@x.test", "Race@X.test", "race@X.TEST", "rAce@x.test", "raCE@x.Test"}
	errs := make([]error, len(emails))
	var wg sync.WaitGroup
	for i, e := range emails {
		wg.Go(func() { errs[i] = s.CreateUser(f.ctx, f.newUser(f.tenant, e)) })
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, crmguard.ErrConflict):
			t.Errorf("concurrent CreateUser %s: %v, want nil or ErrConflict", emails[i], err)
		}
	}
	if wins != 1 {
		t.Errorf("%d concurrent creations of one address succeeded, want 1", wins)
	}
}

// testTxGoesOnAfterConflict: a write refused with ErrConflict inside a
// transaction leaves the transaction usable, as a bulk request that
// answers each record on its own needs: the writes before and after it
// commit.
func testTxGoesOnAfterConflict(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	var ok []*crmguard.User
	err := s.InTx(f.ctx, func(tx crmguard.Store) error {
		for i, e := range []string{"a@x.test", "ANN@example.com", "b@x.test"} {
			u := f.newUser(f.tenant, e)
			err := tx.CreateUser(f.ctx, u)
			switch {
			case i == 1 && errors.Is(err, crmguard.ErrConflict):
			case err != nil:
				return fmt.Errorf("CreateUser %s: %w", e, err)
			default:
				ok = append(ok, u)
			}
		}
		if _, err := tx.GetUserByEmail(f.ctx, f.org.ID, "a@x.test"); err != nil {
			return fmt.Errorf("read after the refused write: %w", err)
		}
		return nil
	})
	must(t, err, "InTx with a refused write")
	if len(ok) != 2 {
		t.Fatalf("%d of the other users were created, want 2", len(ok))
	}
	for _, u := range ok {
		if _, err := s.GetUser(f.ctx, f.org.ID, u.ID); err != nil {
			t.Errorf("user %s after the commit: %v", u.Email, err)
		}
	}
}
