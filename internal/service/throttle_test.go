package service_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

const ownPassword = "the admin's own password"

// signInEnv is a stack whose admin has chosen their own password.
func signInEnv(t *testing.T) (*testenv.Env, string) {
	t.Helper()
	env := testenv.New(t, testenv.Options{})
	if err := env.Svc.ChangePassword(context.Background(), env.Admin, env.Boot.AdminPassword, ownPassword); err != nil {
		t.Fatal(err)
	}
	return env, env.Boot.Admin.Email
}

func from(env *testenv.Env, addr string) crmguard.Actor {
	return crmguard.Actor{OrgID: env.Org.ID, Source: crmguard.SourceConsole, ClientIP: addr}
}

func login(env *testenv.Env, addr, email, password string) error {
	_, _, err := env.Svc.Login(context.Background(), from(env, addr), email, password)
	return err
}

func throttled(err error) bool {
	var te *service.ThrottledError
	return errors.As(err, &te) && te.Wait > 0
}

// TestLoginThrottlesThePair: five wrong passwords for an e-mail from one
// address, and the right one is refused there until the window passes;
// the same e-mail from another address is not locked.
func TestLoginThrottlesThePair(t *testing.T) {
	env, email := signInEnv(t)
	for i := 0; i < 5; i++ {
		if err := login(env, "192.0.2.1", email, "wrong"); !errors.Is(err, service.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	err := login(env, "192.0.2.1", email, ownPassword)
	var te *service.ThrottledError
	if !errors.As(err, &te) || te.Wait != 15*time.Minute || te.Minutes() != 15 {
		t.Fatalf("the right password after five failures: %v, want a 15-minute wait", err)
	}
	if err := login(env, "192.0.2.2", email, ownPassword); err != nil {
		t.Errorf("from another address: %v", err)
	}
	env.Clock.Advance(15 * time.Minute)
	if err := login(env, "192.0.2.1", email, ownPassword); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

// TestStrangerCannotLockOutAnOffice: made-up e-mails from an address shared
// by an office lock nobody else out, up to the address cap of 100.
func TestStrangerCannotLockOutAnOffice(t *testing.T) {
	env, email := signInEnv(t)
	for i := 0; i < 99; i++ {
		if err := login(env, "198.51.100.9", fmt.Sprintf("nobody%d@example.com", i), "guess"); !errors.Is(err, service.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if err := login(env, "198.51.100.9", email, ownPassword); err != nil {
		t.Fatalf("a user at the same address after 99 strangers' failures: %v", err)
	}
	if err := login(env, "198.51.100.9", "nobody100@example.com", "guess"); !errors.Is(err, service.ErrBadCredentials) {
		t.Fatalf("the 100th failure: %v", err)
	}
	// Spraying: at 100 failures the address is locked for every e-mail.
	if err := login(env, "198.51.100.9", email, ownPassword); !throttled(err) {
		t.Errorf("after 100 failures from the address: %v, want throttled", err)
	}
	if err := login(env, "198.51.100.10", email, ownPassword); err != nil {
		t.Errorf("from another address: %v", err)
	}
}

// TestGuessingFromManyAddressesLocksTheEmail: 20 failures for one e-mail
// spread over addresses lock it from everywhere.
func TestGuessingFromManyAddressesLocksTheEmail(t *testing.T) {
	env, email := signInEnv(t)
	for i := 0; i < 20; i++ {
		if err := login(env, fmt.Sprintf("203.0.113.%d", i/4), email, "wrong"); !errors.Is(err, service.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if err := login(env, "203.0.113.200", email, ownPassword); !throttled(err) {
		t.Errorf("from a fresh address after 20 failures: %v, want throttled", err)
	}
	// An IPv6 client counts by its /64: another address in it is the same.
	for i := 0; i < 5; i++ {
		_ = login(env, fmt.Sprintf("2001:db8::%x", i+1), "other@example.com", "wrong")
	}
	if err := login(env, "2001:db8::ffff", "other@example.com", "wrong"); !throttled(err) {
		t.Errorf("another address of the same /64: %v, want throttled", err)
	}
}

// TestConcurrentGuessesAreCountedBeforeTheCheck: thirty guesses at once
// get five password checks, not thirty.
func TestConcurrentGuessesAreCountedBeforeTheCheck(t *testing.T) {
	env, email := signInEnv(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := login(env, "192.0.2.50", email, "wrong")
			k := "other"
			switch {
			case errors.Is(err, service.ErrBadCredentials):
				k = "bad"
			case throttled(err):
				k = "throttled"
			}
			mu.Lock()
			counts[k]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts["bad"] != 5 || counts["throttled"] != 25 {
		t.Errorf("30 concurrent guesses: %v, want 5 checked and 25 throttled", counts)
	}
}

// TestOneTimePasswordOpensNoSession: the right one-time password opens no
// session; LoginChangingPassword (throttled too) sets the new one, and
// only then is there a session.
func TestOneTimePasswordOpensNoSession(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	email, otp := env.Boot.Admin.Email, env.Boot.AdminPassword
	tok, _, err := env.Svc.Login(ctx, from(env, "192.0.2.1"), email, otp)
	if !errors.Is(err, service.ErrMustChangePassword) || tok != "" {
		t.Fatalf("one-time password: %q %v, want ErrMustChangePassword and no session", tok, err)
	}
	for i := 0; i < 5; i++ {
		if _, _, err := env.Svc.LoginChangingPassword(ctx, from(env, "192.0.2.1"), email, "wrong", ownPassword); !errors.Is(err, service.ErrBadCredentials) {
			t.Fatalf("wrong current password %d: %v", i+1, err)
		}
	}
	if _, _, err := env.Svc.LoginChangingPassword(ctx, from(env, "192.0.2.1"), email, otp, ownPassword); !throttled(err) {
		t.Fatalf("after five wrong current passwords: %v, want throttled", err)
	}
	if _, _, err := env.Svc.LoginChangingPassword(ctx, from(env, "192.0.2.2"), email, otp, "short"); err == nil || !strings.Contains(err.Error(), "at least 8") {
		t.Fatalf("a short new password: %v", err)
	}
	tok, u, err := env.Svc.LoginChangingPassword(ctx, from(env, "192.0.2.2"), email, otp, ownPassword)
	if err != nil || tok == "" || u.MustChangePassword {
		t.Fatalf("change: %v", err)
	}
	if su, err := env.Svc.SessionUser(ctx, tok); err != nil || su.ID != u.ID {
		t.Fatalf("session after the change: %v", err)
	}
	evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 2})
	if err != nil || len(evs) != 2 || evs[0].Action != "session.login" || evs[1].Action != "user.password" || evs[0].ClientIP != "192.0.2.2" {
		t.Errorf("audit: %+v %v", evs, err)
	}
	if _, _, err := env.Svc.Login(ctx, from(env, "192.0.2.2"), email, otp); !errors.Is(err, service.ErrBadCredentials) {
		t.Errorf("the one-time password after the change: %v", err)
	}
}

// TestSessionOfAUserWhoMustChangeIsRefused: a session opened before a
// one-time password was set no longer works.
func TestSessionOfAUserWhoMustChangeIsRefused(t *testing.T) {
	env, email := signInEnv(t)
	ctx := context.Background()
	tok, u, err := env.Svc.Login(ctx, from(env, "192.0.2.1"), email, ownPassword)
	if err != nil {
		t.Fatal(err)
	}
	u.MustChangePassword = true
	if err := env.Store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SessionUser(ctx, tok); !errors.Is(err, service.ErrNoSession) {
		t.Errorf("session of a user who must change the password: %v", err)
	}
}

// TestLogoutIsAudited: sign-out is recorded with the session's ID and
// never its token.
func TestLogoutIsAudited(t *testing.T) {
	env, email := signInEnv(t)
	ctx := context.Background()
	tok, u, err := env.Svc.Login(ctx, from(env, "192.0.2.1"), email, ownPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Svc.Logout(ctx, from(env, "192.0.2.3"), tok); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SessionUser(ctx, tok); !errors.Is(err, service.ErrNoSession) {
		t.Errorf("session after logout: %v", err)
	}
	evs, err := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 2})
	if err != nil || len(evs) != 2 {
		t.Fatal(err)
	}
	out, in := evs[0], evs[1]
	if out.Action != "session.logout" || out.ActorID != u.ID || out.TargetID != u.ID || out.ClientIP != "192.0.2.3" ||
		in.Action != "session.login" || string(out.After) != string(in.After) || strings.Contains(string(out.After), tok) {
		t.Errorf("logout event: %+v after %s (login after %s)", out, out.After, in.After)
	}
	// An unknown or ended session signs out quietly, recording nothing.
	if err := env.Svc.Logout(ctx, from(env, "192.0.2.3"), tok); err != nil {
		t.Errorf("second logout: %v", err)
	}
	if evs, _ := env.Store.ListAudit(ctx, env.Org.ID, crmguard.AuditFilter{Limit: 1}); evs[0].Seq != out.Seq {
		t.Errorf("second logout recorded %s", evs[0].Action)
	}
}
