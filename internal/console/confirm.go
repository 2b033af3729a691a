package console

import (
	"fmt"
	"net/http"

	"github.com/crmguard/crmguard"
)

// Destructive actions (deleting a user, profile or role, revoking tokens,
// removing an IP rule) take two POSTs. The first, without confirm=yes,
// only says what will happen and offers a form that repeats the request
// with confirm=yes; only that one acts. A mistaken click, or a form
// another page manages to submit, never destroys anything, and the step
// needs no JavaScript.

// confirmation is what the confirmation page shows.
type confirmation struct {
	Title  string            // the question, e.g. "Delete Patricia Boyle?"
	Text   string            // exactly what will happen
	Fields map[string]string // the first POST's fields, posted again with confirm=yes
	Cancel string            // where Cancel leads: the page the action came from
}

// confirmed reports whether the POST is the confirmed one.
func confirmed(r *request) bool { return r.PostForm.Get("confirm") == "yes" }

// confirm shows the confirmation page. Its form has no action attribute,
// so it posts back to the URL that showed it: the action's own route.
func (c *Console) confirm(w http.ResponseWriter, r *request, cf confirmation) {
	d := r.base(cf.Title, "setup")
	d.Error, d.Form, d.Prev = cf.Text, cf.Fields, cf.Cancel
	c.render(w, http.StatusOK, "confirm", d)
}

// countCap bounds how many users a confirmation counts: past it the page
// says "more than".
const countCap = 10000

// usersWith counts the active and deactivated users whose role or profile
// (field) is id: the count and "1 user moves", "12 users move".
func (c *Console) usersWith(r *request, field string, id crmguard.ID) (int, string, error) {
	res, err := c.svc.SearchUsers(r.Context(), r.user.OrgID, fmt.Sprintf("(%s:equals:%s)", field, id), 1, countCap)
	if err != nil {
		return 0, "", err
	}
	if res.More {
		return countCap + 1, fmt.Sprintf("more than %d users move", countCap), nil
	}
	n := len(res.Users)
	if n == 1 {
		return n, "1 user moves", nil
	}
	return n, fmt.Sprintf("%d users move", n), nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// liveTokens says how many live tokens a user holds ("3 live tokens");
// ListTokens stops at 200 of each kind.
func (c *Console) liveTokens(r *request, user crmguard.ID) (int, string, error) {
	refresh, access, err := c.svc.ListTokens(r.Context(), r.user.OrgID, user)
	if err != nil {
		return 0, "", err
	}
	n := len(refresh) + len(access)
	s := plural(n, "live token", "live tokens")
	if len(refresh) == 200 || len(access) == 200 {
		s = "at least " + s
	}
	return n, s, nil
}
