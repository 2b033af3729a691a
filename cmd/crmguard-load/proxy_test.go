package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestRoundRobin: the scale scenario's proxy sends requests to its
// backends in turn, path, query and headers intact.
func TestRoundRobin(t *testing.T) {
	var targets []*url.URL
	for _, name := range []string{"a", "b"} {
		b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, name+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
		}))
		t.Cleanup(b.Close)
		u, _ := url.Parse(b.URL)
		targets = append(targets, u)
	}
	px := httptest.NewServer(roundRobin(targets))
	t.Cleanup(px.Close)
	var got []string
	for range 4 {
		req, _ := http.NewRequest("GET", px.URL+"/crm/v8/users?page=2", nil)
		req.Header.Set("Authorization", "Zoho-oauthtoken x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(b))
	}
	want := []string{"a", "b", "a", "b"}
	for i, g := range got {
		if g != want[i]+" /crm/v8/users?page=2 Zoho-oauthtoken x" {
			t.Errorf("request %d: %q, want backend %s", i, g, want[i])
		}
	}
}
