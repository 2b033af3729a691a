package crmguardtest

import (
	"context"
	"testing"
	"time"
)

// Reset puts back the state Start handed over (with WithDemo or
// WithSeedFile, that org), including Token, and the clock as it was; the
// emulator's faults and journal are cleared. It takes milliseconds, so a
// test table can share one server and reset between cases.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	if err := s.stack.Emulator.Reset(context.Background()); err != nil {
		t.Fatalf("crmguardtest: reset: %v", err)
	}
}

// Snapshot saves the whole state under name (letters, digits, '-', '_',
// '.'), replacing an earlier snapshot of that name.
func (s *Server) Snapshot(t testing.TB, name string) {
	t.Helper()
	if _, err := s.stack.Emulator.Save(context.Background(), name); err != nil {
		t.Fatalf("crmguardtest: snapshot %q: %v", name, err)
	}
}

// Restore puts back the state saved by Snapshot(name). The clock stays
// where it is.
func (s *Server) Restore(t testing.TB, name string) {
	t.Helper()
	if err := s.stack.Emulator.RestoreSnapshot(context.Background(), name); err != nil {
		t.Fatalf("crmguardtest: restore %q: %v", name, err)
	}
}

// Now is the server's clock: what it uses for token and code expiry,
// API credit windows, If-Modified-Since and audit times.
func (s *Server) Now() time.Time { return s.stack.Service.Now() }

// Advance moves the server's clock by d, e.g. past an access token's hour
// so that the next call with it is refused as expired. The clock keeps
// running from there.
func (s *Server) Advance(t testing.TB, d time.Duration) {
	t.Helper()
	s.stack.Emulator.Clock().Advance(d)
}

// SetTime moves the server's clock to tm; it keeps running from there.
func (s *Server) SetTime(t testing.TB, tm time.Time) {
	t.Helper()
	s.stack.Emulator.Clock().Set(tm)
}

// FreezeTime stops the server's clock where it stands, so that times the
// server writes are the same on every run; Advance and SetTime still move
// it.
func (s *Server) FreezeTime(t testing.TB) {
	t.Helper()
	s.stack.Emulator.Clock().Freeze()
}
