package console_test

import (
	"net/http"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestConsolePagesSendNoReferrer: console URLs carry IDs and search terms;
// no page passes them to another site.
func TestConsolePagesSendNoReferrer(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := login(t, env, "grace.nwosu@example.com", "grace's password")
	for _, p := range []string{"/console/login", "/console/me", "/console/setup", "/console/nope"} {
		resp, err := c.Get(env.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s (%d): Referrer-Policy %q", p, resp.StatusCode, got)
		}
		if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: CSP or nosniff missing", p)
		}
	}
	resp, err := http.Get(env.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("login page without a session: no Referrer-Policy")
	}
}
