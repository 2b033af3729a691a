package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/seedfile"
)

// SeedOptions say how ApplySeed runs.
type SeedOptions struct {
	// DryRun checks the document against the org, in a transaction that
	// is rolled back: every error a real apply would meet, nothing kept.
	DryRun bool
}

// SeedResult is what an apply did. Tokens holds the seeded token values:
// this answer is the one place they appear.
type SeedResult struct {
	Profiles SeedCount   `json:"profiles"`
	Roles    SeedCount   `json:"roles"`
	Fields   SeedCount   `json:"fields"`
	Users    SeedCount   `json:"users"`
	Clients  SeedCount   `json:"clients"`
	Tokens   []SeedToken `json:"tokens"`
	// LicenseUsers is the org's licence count when the apply raised it to
	// fit the active users, else 0.
	LicenseUsers int  `json:"license_users_raised,omitempty"`
	DryRun       bool `json:"dry_run,omitempty"`
}

// SeedCount counts the entries of one section that were made and those
// that existed and were changed to match (or left, when they matched).
type SeedCount struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// SeedToken is a seeded token and its value.
type SeedToken struct {
	Seed      string      `json:"seed"`
	Kind      string      `json:"kind"`
	Token     string      `json:"token"`
	UserID    crmguard.ID `json:"user_id"`
	ClientID  string      `json:"client_id"`
	Scopes    string      `json:"scopes"`
	ExpiresAt *time.Time  `json:"expires_at,omitempty"`
	// Existed is true when the token was there already, from an earlier
	// apply of the same seed.
	Existed bool `json:"existed"`
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("service: dry run")

// ApplySeed applies a seed document to the actor's org in one transaction
// (all of it or nothing) with one seed.apply audit event, which names what
// changed and never a password, secret or token. Entries are created or
// changed to match, so applying a file twice changes nothing the second
// time. An error that depends on the org's data (a reference that does not
// resolve, a value a field refuses, a client id of another secret) is a
// seedfile.Error or seedfile.Errors naming the line.
//
// The caller is trusted as the installation's operator (the emulator key,
// or local access to the data): a seed file reshapes the whole org, which
// no profile permission covers.
func (s *Service) ApplySeed(ctx context.Context, a crmguard.Actor, doc *seedfile.Document, opt SeedOptions) (*SeedResult, error) {
	// Work that is slow or may write on its own happens before the write
	// transaction: bcrypt for each password, and loading the token key,
	// whose first use inserts it.
	hashes := make(map[int]string)
	for i, u := range doc.Users {
		if u.Password == nil {
			continue
		}
		if err := checkNewPassword("", *u.Password); err != nil {
			return nil, seedfile.Errorf(u.Pos, "user %s: %v", u.Email, errText(err))
		}
		h, err := s.hashPassword(*u.Password)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	var key []byte
	if len(doc.Tokens) > 0 {
		var err error
		if _, err = s.macs(ctx); err != nil {
			return nil, err
		}
		if key, err = s.seedTokenKey(ctx); err != nil {
			return nil, err
		}
	}
	res := &SeedResult{Tokens: []SeedToken{}, DryRun: opt.DryRun}
	run := func(tx crmguard.Store) error {
		ap := &seedApply{s: s, tx: tx, a: a, doc: doc, res: res, hashes: hashes, key: key, now: s.Now()}
		if err := ap.run(ctx); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	}
	var err error
	if opt.DryRun {
		err = s.store.InTx(ctx, run)
		if errors.Is(err, errDryRun) {
			err = nil
		}
	} else {
		err = s.write(ctx, run)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// errText is the message of a service error without its code.
func errText(err error) string {
	var ce *crmguard.Error
	if errors.As(err, &ce) {
		if r, ok := ce.Details["reason"].(string); ok && r != "" {
			return r
		}
		return ce.Message
	}
	return err.Error()
}

// seedApply is one apply in progress: the transaction, and the names
// resolved so far to the records they stand for.
type seedApply struct {
	s      *Service
	tx     crmguard.Store
	a      crmguard.Actor
	doc    *seedfile.Document
	res    *SeedResult
	hashes map[int]string // password hashes by user index
	key    []byte
	now    time.Time

	org      *crmguard.Org
	profiles map[string]*crmguard.Profile // by lower-case name
	roles    map[string]*crmguard.Role
	fields   map[string]*crmguard.Field // by lower-case API name
	users    map[string]*crmguard.User  // by lower-case e-mail, as looked up or made
	clients  map[string]*crmguard.Client
	// self is the org's Self Client, the owner of tokens that name none.
	self *crmguard.Client
	// allUsers says users holds every user of the org, so an e-mail
	// missing from it is no user.
	allUsers bool
}

// seedWalkUsers is how many user references make one walk over the org's
// users cheaper than a lookup each.
const seedWalkUsers = 64

func (ap *seedApply) run(ctx context.Context) error {
	var err error
	if ap.org, err = ap.tx.GetOrg(ctx, ap.a.OrgID); err != nil {
		return err
	}
	have, err := ap.load(ctx)
	if err != nil {
		return err
	}
	if err := ap.doc.Check(have); err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{ap.applyFields, ap.applyProfiles, ap.applyRoles, ap.applyUsers, ap.applyClients, ap.applyTokens} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return ap.audit(ctx)
}

// notUserField lists the keys a seed file writes with their own keys, or
// never: they are not "fields" of a user entry.
var notUserField = map[string]bool{"first_name": true, "last_name": true, "full_name": true, "email": true,
	"role": true, "profile": true, "reporting_to": true, "status": true, "confirm": true, "time_zone": true, "locale": true}

// load reads what the org has, for Check and for the steps.
func (ap *seedApply) load(ctx context.Context) (seedfile.Existing, error) {
	have := seedfile.Existing{Profiles: map[string]bool{}, Roles: map[string]string{}, Clients: map[string]bool{}, Fields: map[string]bool{}}
	ap.profiles, ap.roles, ap.fields = map[string]*crmguard.Profile{}, map[string]*crmguard.Role{}, map[string]*crmguard.Field{}
	ap.users, ap.clients = map[string]*crmguard.User{}, map[string]*crmguard.Client{}
	ps, err := ap.tx.ListProfiles(ctx, ap.org.ID)
	if err != nil {
		return have, err
	}
	for _, p := range ps {
		ap.profiles[seedKey(p.Name)] = p
		have.Profiles[seedKey(p.Name)] = true
	}
	rs, err := ap.tx.ListRoles(ctx, ap.org.ID)
	if err != nil {
		return have, err
	}
	byID := map[crmguard.ID]*crmguard.Role{}
	for _, r := range rs {
		ap.roles[seedKey(r.Name)] = r
		byID[r.ID] = r
	}
	for _, r := range rs {
		have.Roles[seedKey(r.Name)] = ""
		if p := byID[r.ReportingTo]; p != nil {
			have.Roles[seedKey(r.Name)] = seedKey(p.Name)
		}
	}
	cs, err := ap.tx.ListClients(ctx, ap.org.ID)
	if err != nil {
		return have, err
	}
	for _, c := range cs {
		ap.clients[c.ClientID] = c
		have.Clients[c.ClientID] = true
		if c.Type == crmguard.ClientSelf && ap.self == nil {
			ap.self = c // the one selfClient picks: the first listed
		}
	}
	fs, err := ap.tx.ListFields(ctx, ap.org.ID, crmguard.ModuleUsers)
	if err != nil {
		return have, err
	}
	for _, f := range fs {
		ap.fields[seedKey(f.APIName)] = f
		if f.Custom || (!f.ReadOnly && !notUserField[seedKey(f.APIName)]) {
			have.Fields[seedKey(f.APIName)] = true
		}
	}
	// A file of many users is matched against one walk over the org's
	// users rather than a lookup each: two thirds of a 1,000-user apply
	// went to those lookups.
	if len(ap.doc.Users)+len(ap.doc.Tokens) > seedWalkUsers {
		err := ap.tx.EachUser(ctx, ap.org.ID, crmguard.UserFilter{}, func(u *crmguard.User) error {
			ap.users[seedKey(u.Email)] = u
			return nil
		})
		if err != nil {
			return have, err
		}
		ap.allUsers = true
	}
	have.User = func(email string) (bool, error) {
		u, err := ap.user(ctx, email)
		return u != nil, err
	}
	return have, nil
}

// user finds a user by e-mail, remembering the answer for the steps.
func (ap *seedApply) user(ctx context.Context, email string) (*crmguard.User, error) {
	key := seedKey(email)
	if u, ok := ap.users[key]; ok || ap.allUsers {
		return u, nil
	}
	u, err := ap.tx.GetUserByEmail(ctx, ap.org.ID, email)
	if errors.Is(err, crmguard.ErrNotFound) {
		u, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	ap.users[key] = u
	return u, nil
}

func seedKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
