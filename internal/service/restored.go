package service

// Restored tells the service that its store's whole state was replaced
// under it (the emulator's reset, snapshot restore or import), and drops
// what the service keeps in memory that described the old state:
//
//   - the token key: an imported state brings its own key (its tokens
//     carry check values under it), and a reset may return to a state from
//     before the key was made; the next check or mint loads it again;
//   - the failed sign-ins: a test that locked a user out and then reset
//     expects the fresh state to let that user in;
//   - every cache that follows the change epoch, which moves here.
func (s *Service) Restored() {
	s.tokens.mu.Lock()
	s.tokens.pool.Store(nil)
	s.tokens.mu.Unlock()
	s.signins.mu.Lock()
	s.signins.fails = nil
	s.signins.mu.Unlock()
	s.Changed()
}
