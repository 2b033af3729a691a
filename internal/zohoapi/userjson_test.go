package zohoapi

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// encodingView is a view over an org in Kolkata with two roles, two
// profiles, three named users and two custom fields.
func encodingView(spelling userSpelling) *userView {
	return &userView{loc: zone("Asia/Kolkata"), spelling: spelling,
		roles:     map[crmguard.ID]string{11: "CEO", 12: "Manager \"Sales\""},
		profiles:  map[crmguard.ID]string{21: "Administrator", 22: "Standard"},
		names:     map[crmguard.ID]string{31: "Ann Admin", 32: "Bob", 33: ""},
		firstLast: map[crmguard.ID][2]string{31: {"Ann", "Admin"}, 32: {"", "Bob"}},
		custom:    []*crmguard.Field{{APIName: "Score__c"}, {APIName: "Tags__c"}},
		now:       time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)}
}

var encodingTexts = []string{"", "Ann", "Zoë", "O'Brien", "a\"b\\c", "tab\there", "line\u2028sep", "bad\xffutf8", "<b>&amp;</b>", "名前", "x\x00y", "trailing\xc3"}

// randomUser is a user with fields drawn from encodingTexts and the view's
// references (and some it does not know).
func randomUser(r *rand.Rand) *crmguard.User {
	text := func() string { return encodingTexts[r.IntN(len(encodingTexts))] }
	ref := func(ids ...crmguard.ID) crmguard.ID { return ids[r.IntN(len(ids))] }
	at := time.UnixMilli(1_700_000_000_000 + r.Int64N(200_000_000_000)).UTC()
	u := &crmguard.User{ID: crmguard.ID(4_000_000_000_000_000 + r.Int64N(1e15)), FirstName: text(), LastName: text(),
		Email: text() + "@example.test", RoleID: ref(0, 11, 12, 13), ProfileID: ref(0, 21, 22, 23),
		Status: []string{crmguard.UserActive, "disabled", ""}[r.IntN(3)], Confirmed: r.IntN(2) == 0, ZUID: 700_000_000 + r.Int64N(1000),
		TimeZone: []string{"", "UTC", "Asia/Kolkata", "America/New_York", "Nowhere/Else"}[r.IntN(5)], Locale: text(),
		ReportingTo: ref(0, 31, 32, 33, 34), CreatedBy: ref(0, 31, 32, 33, 34), ModifiedBy: ref(0, 31, 32, 33, 34),
		CreatedTime: at, ModifiedTime: at.Add(time.Duration(r.IntN(3)) * 1500 * time.Millisecond)}
	if r.IntN(4) == 0 {
		u.CreatedTime = time.Time{}
	}
	if r.IntN(3) > 0 {
		u.Extra = map[string]json.RawMessage{}
		for _, k := range []string{"language", "city", "phone", "Currency", "dob", "Score__c", "Tags__c", "Other__c", "sort_order_preference__s"} {
			if r.IntN(3) == 0 {
				v, _ := json.Marshal(text())
				if r.IntN(4) == 0 {
					v = json.RawMessage(`[1,{"a":null}]`)
				}
				u.Extra[k] = v
			}
		}
		if r.IntN(5) == 0 {
			u.Extra["phone"], u.Extra["Score__c"] = nil, nil // present, no value
		}
	}
	return u
}

// TestAppendUserMatchesReference: the encoder writes exactly the bytes of
// the one it replaced (refAppendUser), in every spelling, for users with
// and without optional and custom fields, odd texts, unknown references
// and unset times.
func TestAppendUserMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sp := range []userSpelling{spellingV2, spellingV3, spellingV8} {
		v, ref := encodingView(sp), encodingView(sp)
		for i := 0; i < 3000; i++ {
			u := randomUser(r)
			got, want := v.appendUser(nil, u), ref.refAppendUser(nil, u)
			if !bytes.Equal(got, want) {
				t.Fatalf("spelling %d, user %d:\n got %s\nwant %s", sp, i, got, want)
			}
			if i < 50 && !json.Valid(got) {
				t.Fatalf("invalid JSON: %s", got)
			}
		}
	}
}

// seededUsers are 200 users as crmguard user seed makes them.
func seededUsers() []*crmguard.User {
	now := time.Date(2025, 6, 30, 9, 15, 0, 123e6, time.UTC)
	users := make([]*crmguard.User, 200)
	for i := range users {
		users[i] = &crmguard.User{ID: crmguard.ID(4_150_868_000_000_225_013 + i), OrgID: 1,
			FirstName: "Ava", LastName: "Bauer", Email: "ava.bauer.12345." + strconv.Itoa(i) + "@example.test",
			RoleID: 12, ProfileID: 22, Status: crmguard.UserActive, Confirmed: i%20 != 10, ZUID: 700_000_002 + int64(i),
			TimeZone: "UTC", Locale: "en_US", CreatedBy: 31, ModifiedBy: 31, CreatedTime: now, ModifiedTime: now}
	}
	return users
}

// BenchmarkEncodeUsers200 encodes a page of 200 seeded users (v8), as a
// cold GET /users?per_page=200 does, into one reused buffer: appendUser,
// and refAppendUser (the encoder before it) for comparison in the same
// run.
func BenchmarkEncodeUsers200(b *testing.B) {
	users := seededUsers()
	for _, c := range []struct {
		name string
		enc  func(v *userView, b []byte, u *crmguard.User) []byte
	}{{"appendUser", (*userView).appendUser}, {"refAppendUser", (*userView).refAppendUser}} {
		b.Run(c.name, func(b *testing.B) {
			v := encodingView(spellingV8)
			v.loc = time.UTC
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				buf = buf[:0]
				for _, u := range users {
					buf = c.enc(v, buf, u)
				}
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
