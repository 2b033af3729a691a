package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// /readyz must not answer 200 while start-up (import, seed, bootstrap) is
// still writing, even to a caller that serves the handler early: the flag
// Open sets last decides, not just the database's answer.
func TestReadyOnlyAfterOpenFinished(t *testing.T) {
	st, err := Open(context.Background(), Options{Path: filepath.Join(t.TempDir(), "db"), PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	probe := func() int {
		rec := httptest.NewRecorder()
		st.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec.Code
	}
	if got := probe(); got != http.StatusOK {
		t.Fatalf("after Open: %d", got)
	}
	st.ready.Store(false) // as it is until Open's last step
	if got := probe(); got != http.StatusServiceUnavailable {
		t.Fatalf("before start-up finished: %d", got)
	}
}
