package console_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// BenchmarkUsersPage measures the console's users list in an org of
// 100,000 users: page 1 against page 2,000 (50 a page), through a real
// session and HTTP server. Paging reads a slice of the cached sorted IDs,
// so both should cost the same.
//
//	go test -run XXX -bench UsersPage -benchtime 2s ./internal/console/
func BenchmarkUsersPage(b *testing.B) {
	env := testenv.New(b, testenv.Options{Demo: true})
	if _, err := env.Svc.SeedUsers(context.Background(), env.Admin, 100_000, nil); err != nil {
		b.Fatal(err)
	}
	c := benchAdmin(b, env)
	for _, page := range []string{"1", "2000"} {
		b.Run("page"+page, func(b *testing.B) {
			u := env.URL + "/console/users?type=AllUsers&page=" + page
			for b.Loop() {
				resp, err := c.Get(u)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || n < 10_000 {
					b.Fatalf("page %s: %d, %d bytes", page, resp.StatusCode, n)
				}
			}
		})
	}
}

func benchAdmin(b *testing.B, env *testenv.Env) *http.Client {
	c := client(b)
	get := func(u string) string {
		resp, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	page := get(env.URL + "/console/login")
	resp, err := c.PostForm(env.URL+"/console/login", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]},
		"email": {env.Boot.Admin.Email}, "password": {env.Boot.AdminPassword}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	page = get(env.URL + "/console/password")
	resp, err = c.PostForm(env.URL+"/console/password", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]},
		"current": {env.Boot.AdminPassword}, "next": {newPassword}, "confirm": {newPassword}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	return c
}
