package sqlstore_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// TestUserReadsAnyText: every way of reading users gives back what was
// written, whatever the texts hold: SQLite reads a user as one packed text
// split on the unit separator (userscan.go), so a text that holds the
// separator, or is empty, or is not ASCII, must still come back whole.
func TestUserReadsAnyText(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			f := seed(t, s)
			ctx := context.Background()
			texts := []string{"", "plain", "Zoë ünïcödé 名前", "unit\x1fseparator", "\x1f", "two\x1f\x1fseps", "record\x1eseparator", "\x1e\x1f", "comma, and \"quote\"", "nul\x00byte"}
			var users []*crmguard.User
			for i := 0; i < 55; i++ {
				tx := texts[i%len(texts)]
				if i >= 30 && strings.ContainsRune(tx, '\x1e') {
					tx = "later" // users[30:] read as one range without a record separator
				}
				u := &crmguard.User{ID: f.ids.New(), OrgID: f.org.ID, Email: "u" + strconv.Itoa(i) + tx + "@x.test",
					FirstName: tx, LastName: "L" + tx, RoleID: f.role.ID, ProfileID: f.profile.ID,
					Status: crmguard.UserActive, Confirmed: i%2 == 0, MustChangePassword: i%3 == 0,
					TimeZone: tx, Locale: tx, PasswordHash: tx, ReportingTo: f.user.ID,
					CreatedBy: f.user.ID, ModifiedBy: -5, CreatedTime: f.now, ModifiedTime: f.now.Add(time.Duration(i) * time.Millisecond)}
				if i%4 == 1 {
					city, _ := json.Marshal("a" + tx)
					u.Extra = map[string]json.RawMessage{"city": city, "n": json.RawMessage(`[1,2]`)}
					u.InviteHash = []byte("invite " + u.ID.String())
					u.InviteExpires = f.now.Add(time.Hour)
				}
				if name == "postgres" && tx == "nul\x00byte" {
					u.FirstName, u.TimeZone, u.Locale, u.PasswordHash, u.Email, u.LastName = "x", "x", "x", "x", "u"+strconv.Itoa(i)+"@x.test", "L"
				}
				users = append(users, u)
			}
			if err := s.CreateUsers(ctx, users); err != nil {
				t.Fatal(err)
			}
			check := func(what string, got *crmguard.User, want *crmguard.User) {
				t.Helper()
				if got == nil {
					t.Fatalf("%s: no user %d", what, want.ID)
				}
				if !got.CreatedTime.Equal(want.CreatedTime) || !got.ModifiedTime.Equal(want.ModifiedTime) || !got.InviteExpires.Equal(want.InviteExpires) {
					t.Errorf("%s: times of %d differ", what, want.ID)
				}
				g, w := *got, *want
				g.CreatedTime, g.ModifiedTime, g.InviteExpires = time.Time{}, time.Time{}, time.Time{}
				w.CreatedTime, w.ModifiedTime, w.InviteExpires = time.Time{}, time.Time{}, time.Time{}
				if len(g.Extra) == 0 && len(w.Extra) == 0 {
					g.Extra, w.Extra = nil, nil
				}
				if g.ZUID == 0 {
					t.Errorf("%s: user %d has no ZUID", what, want.ID)
				}
				w.ZUID = g.ZUID
				if !reflect.DeepEqual(g, w) {
					t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
				}
			}
			ids := make([]crmguard.ID, len(users))
			for i, u := range users {
				ids[i] = u.ID
				got, err := s.GetUser(ctx, f.org.ID, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				check("GetUser", got, u)
				if u.InviteHash != nil {
					got, err := s.GetUserByInvite(ctx, u.InviteHash)
					if err != nil {
						t.Fatal(err)
					}
					check("GetUserByInvite", got, u)
				}
				got, err = s.GetUserByEmail(ctx, f.org.ID, u.Email)
				if err != nil {
					t.Fatal(err)
				}
				check("GetUserByEmail", got, u)
			}
			byID := map[crmguard.ID]*crmguard.User{}
			for _, u := range users {
				byID[u.ID] = u
			}
			for what, list := range map[string][]crmguard.ID{"GetUsers (a range)": ids, "GetUsers (a range, no record separator)": ids[30:], "GetUsers (by ID)": {ids[7], ids[3], ids[4]}} {
				got, err := s.GetUsers(ctx, f.org.ID, list)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(list) {
					t.Fatalf("%s: %d users, want %d", what, len(got), len(list))
				}
				for _, u := range got {
					check(what, u, byID[u.ID])
				}
			}
			all, err := s.ListUsers(ctx, f.org.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, u := range all {
				if w := byID[u.ID]; w != nil {
					check("ListUsers", u, w)
					n++
				}
			}
			err = s.EachUser(ctx, f.org.ID, crmguard.UserFilter{}, func(u *crmguard.User) error {
				if w := byID[u.ID]; w != nil {
					check("EachUser", u, w)
					n++
				}
				return nil
			})
			if err != nil || n != 2*len(users) {
				t.Fatalf("ListUsers and EachUser: %d of %d users, %v", n, 2*len(users), err)
			}
		})
	}
}
