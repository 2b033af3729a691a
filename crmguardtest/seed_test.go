package crmguardtest_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/crmguard/crmguard/crmguardtest"
)

// A seed file given to Start is the org tests begin with and Reset
// returns to; its tokens and fixed client work as declared.
func TestWithSeedFile(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t, crmguardtest.WithSeedFile("testdata/seed.yaml"))
	ana := srv.SeedToken(t, "ana-read")
	status, body := call(t, srv, "GET", "/crm/v8/users?type=AllUsers", ana, "")
	if status != http.StatusOK || len(emails(body)) != 2 {
		t.Fatalf("GET users as ana = %d %v", status, body)
	}
	if status, body = call(t, srv, "GET", "/crm/v8/org", ana, ""); status != http.StatusUnauthorized || body["code"] != "OAUTH_SCOPE_MISMATCH" {
		t.Fatalf("GET org as ana = %d %v", status, body)
	}

	// The seeded refresh token of the fixed client, as a CI job would hold
	// them: refreshed with x/oauth2.
	conf := &oauth2.Config{ClientID: "1000.SEEDCLIENT00000000000000000001",
		ClientSecret: "0123456789abcdef0123456789abcdef01234567ab",
		Endpoint:     oauth2.Endpoint{TokenURL: srv.URL + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams}}
	tok, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: srv.SeedToken(t, "admin-refresh")}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if status, _ = call(t, srv, "GET", "/crm/v8/org", tok.AccessToken, ""); status != http.StatusOK {
		t.Fatalf("GET org with the refreshed token: %d", status)
	}

	// A second file at run time adds to the org; Reset takes it away again
	// and keeps the first.
	more := srv.ApplySeed(t, "testdata/more.yaml")
	if len(more) != 0 {
		t.Fatalf("more.yaml seeded tokens %v", more)
	}
	if _, body = call(t, srv, "GET", "/crm/v8/users?type=AllUsers", srv.Token, ""); len(emails(body)) != 3 {
		t.Fatalf("after more.yaml: %v", emails(body))
	}
	srv.Reset(t)
	if _, body = call(t, srv, "GET", "/crm/v8/users?type=AllUsers", ana, ""); fmt.Sprint(emails(body)) != "[admin@example.com ana@example.com]" &&
		fmt.Sprint(emails(body)) != "[ana@example.com admin@example.com]" {
		t.Fatalf("after reset: %v", emails(body))
	}
}

// fatalT records the message a helper fails the test with, instead of
// failing the test that checks it.
type fatalT struct {
	testing.TB
	msg string
}

func (f *fatalT) Helper() {}
func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// A bad file fails the test with the line of the problem and changes
// nothing.
func TestApplySeedRefusesABadFile(t *testing.T) {
	t.Parallel()
	srv := crmguardtest.Start(t)
	ft := &fatalT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ApplySeed(ft, "testdata/bad.yaml")
	}()
	<-done
	if !strings.Contains(ft.msg, "line 5") || !strings.Contains(ft.msg, "No Such Role") {
		t.Fatalf("ApplySeed failed with %q; want the line (5) and the role", ft.msg)
	}
	if _, body := call(t, srv, "GET", "/crm/v8/users?type=AllUsers", srv.Token, ""); len(emails(body)) != 1 {
		t.Fatalf("a refused file changed the org: %v", emails(body))
	}
}
