package crmguardtest

import (
	"context"
	"os"
	"testing"

	"github.com/crmguard/crmguard/internal/service"
)

// ApplySeed applies a seed file (YAML or JSON, the format of `crmguard
// serve --seed`) to the running org, in one transaction: profiles, roles,
// custom fields, users, clients with fixed ids and secrets, and tokens. It
// returns the seeded tokens' values by their seed name (SeedToken finds
// them later). A file the server refuses fails t with each problem's line
// and changes nothing.
//
// Reset returns to the state Start handed over, which has this file only
// when it was given to Start with WithSeedFile.
func (s *Server) ApplySeed(t testing.TB, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("crmguardtest: seed: %v", err)
	}
	res, err := s.stack.Emulator.ApplySeed(context.Background(), data, false)
	if err != nil {
		t.Fatalf("crmguardtest: seed %s: %v", file, err)
	}
	return s.addSeeded(res)
}

// SeedToken returns the value of the token a seed file (WithSeedFile or
// ApplySeed) declared with this seed name.
func (s *Server) SeedToken(t testing.TB, seed string) string {
	t.Helper()
	s.mu.Lock()
	v, ok := s.seeded[seed]
	s.mu.Unlock()
	if !ok {
		t.Fatalf("crmguardtest: no seeded token %q", seed)
	}
	return v
}

func (s *Server) addSeeded(res *service.SeedResult) map[string]string {
	out := make(map[string]string, len(res.Tokens))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seeded == nil {
		s.seeded = map[string]string{}
	}
	for _, tok := range res.Tokens {
		out[tok.Seed] = tok.Token
		s.seeded[tok.Seed] = tok.Token
	}
	return out
}
