package crmguardtest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"testing"
	"time"

	"github.com/crmguard/crmguard/crmguardtest"
)

// A server for one program (or a TestMain): New starts it, Close stops it.
// Calls carry the token as Zoho's do.
func Example() {
	srv, err := crmguardtest.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	req, err := http.NewRequest("GET", srv.URL+"/crm/v8/users?type=AllUsers", nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Zoho-oauthtoken "+srv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Users []struct {
			Email   string `json:"email"`
			Profile struct {
				Name string `json:"name"`
			} `json:"profile"`
		} `json:"users"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status)
	for _, u := range body.Users {
		fmt.Println(u.Email, u.Profile.Name)
	}
	// Output:
	// 200 OK
	// admin@example.com Administrator
}

// In a test: Start stops the server when the test ends. Each test may
// start its own and run in parallel.
func ExampleStart() {
	TestSalesRepsCannotReadTheOrg := func(t *testing.T) {
		t.Parallel()
		srv := crmguardtest.Start(t, crmguardtest.WithDemo())
		srv.AddUser(t, "rep@example.com", "Standard", "Manager")
		srv.SetAPIAccess(t, "Standard", true)
		token := srv.TokenFor(t, "rep@example.com", "ZohoCRM.users.READ")
		// ... call the code under test with srv.URL and token ...

		srv.Advance(t, 2*time.Hour) // the token has expired now
		srv.Reset(t)                // back to the demo org, clock included
		_ = token
	}
	_ = TestSalesRepsCannotReadTheOrg
}

// One server for a package's tests: start it in TestMain and Reset between
// tests that change it.
func ExampleNew_testMain() {
	var srv *crmguardtest.Server
	TestMain := func(m *testing.M) int {
		var err error
		if srv, err = crmguardtest.New(crmguardtest.WithDemo()); err != nil {
			log.Fatal(err)
		}
		defer srv.Close()
		return m.Run()
	}
	_ = TestMain
}
