package zohoapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// TestEveryAcknowledgedUpdateIsRead: while readers keep reading a user, a
// user who reports to them, and 200-user pages (filling the caches of
// encoded users, names and ID lists at every moment of each write), a
// writer renames the user and toggles their status; after each
// acknowledged write, the next reads show it: the user's own record, the
// manager's name in the other user's record, the user's place in the list
// of active users and their record in the page. Run it with -race.
func TestEveryAcknowledgedUpdateIsRead(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	tok := env.Token(t, "", adminScopes)
	x, y := env.User(t, salesUser).ID.String(), env.User(t, standardUser).ID.String()
	do := func(method, path, body string) (int, []byte) {
		req, err := http.NewRequest(method, env.URL+path, nil)
		if body != "" {
			req, err = http.NewRequest(method, env.URL+path, strings.NewReader(body))
		}
		if err != nil {
			t.Error(err)
			return 0, nil
		}
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		resp, err := env.Server.Client().Do(req)
		if err != nil {
			t.Error(err)
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	type user struct {
		ID          string `json:"id"`
		FirstName   string `json:"first_name"`
		Status      string `json:"status"`
		ReportingTo *struct {
			Name string `json:"name"`
		} `json:"Reporting_To"`
	}
	users := func(path string) []user {
		code, b := do("GET", path, "")
		var v struct{ Users []user }
		if code == http.StatusOK {
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("GET %s: %v", path, err)
			}
		}
		return v.Users
	}
	find := func(us []user, id string) *user {
		for i := range us {
			if us[i].ID == id {
				return &us[i]
			}
		}
		return nil
	}
	if code, b := do("PUT", "/crm/v8/users/"+y, `{"users":[{"Reporting_To":"`+x+`"}]}`); code != http.StatusOK {
		t.Fatalf("PUT Reporting_To: %d %s", code, b)
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, path := range []string{"/crm/v8/users/" + x, "/crm/v8/users/" + y, "/crm/v8/users?per_page=200",
		"/crm/v8/users?type=ActiveUsers&per_page=200", "/crm/v2/users/" + x} {
		wg.Go(func() {
			for !stop.Load() {
				do("GET", path, "")
			}
		})
	}
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()
	n := 150
	if testing.Short() {
		n = 30
	}
	for i := range n {
		name := fmt.Sprintf("W%d", i)
		status := []string{"active", "inactive"}[i%3/2] // two renames, then a deactivation with one
		body := `{"users":[{"first_name":"` + name + `","status":"` + status + `"}]}`
		if code, b := do("PUT", "/crm/v8/users/"+x, body); code != http.StatusOK {
			t.Fatalf("PUT %d: %d %s", i, code, b)
		}
		shown := map[string]string{"active": "active", "inactive": "disabled"}[status]
		if u := find(users("/crm/v8/users/"+x), x); u == nil || u.FirstName != name || u.Status != shown {
			t.Fatalf("write %d (%s, %s): GET /users/{id} answers %+v", i, name, status, u)
		}
		if u := find(users("/crm/v2/users/"+x), x); u == nil || u.FirstName != name {
			t.Fatalf("write %d (%s): GET v2 /users/{id} answers %+v", i, name, u)
		}
		if u := find(users("/crm/v8/users/"+y), y); u == nil || u.ReportingTo == nil || !strings.HasPrefix(u.ReportingTo.Name, name+" ") {
			t.Fatalf("write %d (%s): the manager's name in the report's record is %+v", i, name, u.ReportingTo)
		}
		if u := find(users("/crm/v8/users?per_page=200"), x); u == nil || u.FirstName != name {
			t.Fatalf("write %d (%s): the page of all users shows %+v", i, name, u)
		}
		u := find(users("/crm/v8/users?type=ActiveUsers&per_page=200"), x)
		if (u != nil) != (status == "active") || u != nil && u.FirstName != name {
			t.Fatalf("write %d (%s, %s): the page of active users shows %+v", i, name, status, u)
		}
	}
}
