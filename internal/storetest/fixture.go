package storetest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// tenant is an org with the profile, role and user most tests need.
type tenant struct {
	org     *crmguard.Org
	profile *crmguard.Profile
	role    *crmguard.Role
	user    *crmguard.User
}

// fx is a seeded store: one tenant, an ID generator and a clock reading
// truncated to the millisecond, as the store keeps times.
type fx struct {
	tenant
	t   *testing.T
	s   crmguard.Store
	ctx context.Context
	ids *crmguard.IDGen
	now time.Time
}

// seed fills s with one tenant: org Acme, its Administrator profile, its
// CEO role and its user ann@example.com.
func seed(t *testing.T, s crmguard.Store) *fx {
	t.Helper()
	f := &fx{t: t, s: s, ctx: context.Background(), ids: crmguard.NewIDGen(nil),
		now: time.Now().UTC().Truncate(time.Millisecond)}
	f.tenant = f.addTenant("Acme", "Ann@Example.com")
	return f
}

// at is the fixture's clock moved by d.
func (f *fx) at(d time.Duration) time.Time { return f.now.Add(d) }

// addTenant creates an org with a profile, a role and a user.
func (f *fx) addTenant(company, email string) tenant {
	f.t.Helper()
	org := &crmguard.Org{ID: f.ids.New(), CompanyName: company, TimeZone: "UTC", Type: "production",
		Edition: crmguard.EditionEnterprise, CreatedTime: f.now, ModifiedTime: f.now}
	must(f.t, f.s.CreateOrg(f.ctx, org), "CreateOrg "+company)
	tn := tenant{org: org}
	tn.profile = f.addProfile(org.ID, crmguard.ProfileAdministrator)
	tn.role = f.addRole(org.ID, "CEO", 0)
	tn.user = f.addUser(tn, email)
	return tn
}

func (f *fx) addProfile(org crmguard.ID, name string) *crmguard.Profile {
	f.t.Helper()
	p := &crmguard.Profile{ID: f.ids.New(), OrgID: org, Name: name, DisplayLabel: name, Type: crmguard.ProfileNormal,
		Permissions: crmguard.AllPermissions(), CreatedTime: f.now, ModifiedTime: f.now}
	must(f.t, f.s.CreateProfile(f.ctx, p), "CreateProfile "+name)
	return p
}

func (f *fx) addRole(org crmguard.ID, name string, parent crmguard.ID) *crmguard.Role {
	f.t.Helper()
	r := &crmguard.Role{ID: f.ids.New(), OrgID: org, Name: name, DisplayLabel: name, ReportingTo: parent,
		CreatedTime: f.now, ModifiedTime: f.now}
	must(f.t, f.s.CreateRole(f.ctx, r), "CreateRole "+name)
	return r
}

// newUser builds an active user of tn's org, profile and role.
func (f *fx) newUser(tn tenant, email string) *crmguard.User {
	return &crmguard.User{ID: f.ids.New(), OrgID: tn.org.ID, Email: email, LastName: email, RoleID: tn.role.ID,
		ProfileID: tn.profile.ID, Status: crmguard.UserActive, Confirmed: true, TimeZone: "UTC", Locale: "en_US",
		CreatedTime: f.now, ModifiedTime: f.now}
}

func (f *fx) addUser(tn tenant, email string) *crmguard.User {
	f.t.Helper()
	u := f.newUser(tn, email)
	must(f.t, f.s.CreateUser(f.ctx, u), "CreateUser "+email)
	return u
}

// addClient registers a client of the fixture's org.
func (f *fx) addClient(clientID string) *crmguard.Client {
	f.t.Helper()
	c := &crmguard.Client{ID: f.ids.New(), OrgID: f.org.ID, ClientID: clientID, SecretHash: hash("secret " + clientID),
		Name: clientID, Type: crmguard.ClientServer, RedirectURIs: []string{"https://app.test/cb"}, CreatedBy: f.user.ID,
		CreatedTime: f.now}
	must(f.t, f.s.CreateClient(f.ctx, c), "CreateClient "+clientID)
	return c
}

// addRefresh creates a live refresh token of the fixture's org.
func (f *fx) addRefresh(label, clientID string, user, grant crmguard.ID, created time.Time) *crmguard.RefreshToken {
	f.t.Helper()
	rt := &crmguard.RefreshToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: hash(label), ClientID: clientID,
		UserID: user, Scopes: "ZohoCRM.users.ALL", GrantID: grant, CreatedTime: created}
	must(f.t, f.s.CreateRefreshToken(f.ctx, rt), "CreateRefreshToken "+label)
	return rt
}

// addAccess creates an access token of the fixture's org, valid for an hour
// from created.
func (f *fx) addAccess(label string, refresh *crmguard.RefreshToken, clientID string, user, grant crmguard.ID, created time.Time) *crmguard.AccessToken {
	f.t.Helper()
	at := &crmguard.AccessToken{ID: f.ids.New(), OrgID: f.org.ID, TokenHash: hash(label), ClientID: clientID,
		UserID: user, Scopes: "ZohoCRM.users.READ", GrantID: grant, ExpiresAt: created.Add(time.Hour), CreatedTime: created}
	if refresh != nil {
		at.RefreshID = refresh.ID
	}
	must(f.t, f.s.CreateAccessToken(f.ctx, at), "CreateAccessToken "+label)
	return at
}

// hash is the SHA-256 of s: the store keeps secrets only as hashes.
func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// byID sorts records by ID, for lists whose order the contract leaves open.
func byID[T any](list []T, id func(T) crmguard.ID) []T {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
	return out
}

// idsOf lists the IDs of records, in the order given.
func idsOf[T any](list []T, id func(T) crmguard.ID) []crmguard.ID {
	out := make([]crmguard.ID, len(list))
	for i, v := range list {
		out[i] = id(v)
	}
	return out
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
