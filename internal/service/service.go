package service

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/crmguard/crmguard"
)

// Config holds the settings of the use cases. Zero values are replaced by
// Zoho's defaults in New.
type Config struct {
	// PublicURL is this server's own base URL, returned as api_domain.
	PublicURL string

	SelfClientGrantTTL  time.Duration // Self Client grant code lifetime (Zoho: 3 min)
	AuthCodeTTL         time.Duration // redirect-flow code lifetime (Zoho: 2 min)
	AccessTokenTTL      time.Duration // 1 h
	GrantsPerWindow     int           // grant codes per client per window (10)
	AccessPerWindow     int           // access tokens per refresh token per window (10)
	LimitWindow         time.Duration // the window of the two above (10 min)
	MaxAccessPerRefresh int           // live access tokens per refresh token (15)
	MaxRefreshPerUser   int           // live refresh tokens per user per client (20)

	// PasswordCost is the bcrypt cost of stored passwords.
	PasswordCost int
	// InviteTTL is how long an invitation link works (7 days).
	InviteTTL time.Duration
	// MaxProfiles is how many profiles an org may have (Zoho: 25).
	MaxProfiles int

	// Random is where tokens, codes, client ids, secrets and one-time
	// passwords come from; nil is crypto/rand. IDs, when set, makes every
	// record ID; nil is a generator on the service clock. TokenKey, when
	// set, is the key of the tokens' check value instead of the one kept
	// in the store (tokens minted by another process over the same store
	// then fail the check). Deterministic fills all three from a seed.
	Random   io.Reader
	IDs      *crmguard.IDGen
	TokenKey []byte

	// SignIns, when set, keeps the failed sign-ins in a database that
	// every instance shares (PostgreSQL), so the sign-in throttle counts
	// across all of them; nil keeps them in this process's memory.
	SignIns SignInLog
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defi := func(d *int, v int) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.SelfClientGrantTTL, 3*time.Minute)
	def(&c.AuthCodeTTL, 2*time.Minute)
	def(&c.AccessTokenTTL, time.Hour)
	def(&c.LimitWindow, 10*time.Minute)
	def(&c.InviteTTL, 7*24*time.Hour)
	defi(&c.GrantsPerWindow, 10)
	defi(&c.AccessPerWindow, 10)
	defi(&c.MaxAccessPerRefresh, 15)
	defi(&c.MaxRefreshPerUser, 20)
	defi(&c.PasswordCost, 10)
	defi(&c.MaxProfiles, 25)
	if c.PublicURL == "" {
		c.PublicURL = "http://127.0.0.1:8080"
	}
}

// Service is the use-case layer.
type Service struct {
	store   crmguard.Store
	cfg     Config
	now     func() time.Time
	ids     *crmguard.IDGen
	changes changes    // the change sequence, epoch, log and subscribers (epoch.go)
	lists   idLists    // sorted user IDs by type, patched after each change (idlists.go)
	fields  fieldCache // the Users fields per org, per change epoch (fieldcache.go)
	signins throttle   // failed sign-ins: in this process, or Config.SignIns (throttle.go)
	tokens  tokenKey   // the key of the check value inside tokens (tokenkey.go)
}

// New returns a Service over store. now may be nil for time.Now.
func New(store crmguard.Store, cfg Config, now func() time.Time) *Service {
	cfg.defaults()
	if now == nil {
		now = time.Now
	}
	ids := cfg.IDs
	if ids == nil {
		ids = crmguard.NewIDGen(now)
	}
	s := &Service{store: store, cfg: cfg, now: now, ids: ids, signins: throttle{shared: cfg.SignIns}}
	s.signins.key = s.installationKey
	return s
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// Now is the service clock.
func (s *Service) Now() time.Time { return s.now().UTC() }

// write runs fn in a transaction and, once it commits, publishes what it
// changed: fn works in a recorder that notes the audit events it appends,
// and classify reads them (changes.go).
func (s *Service) write(ctx context.Context, fn func(tx crmguard.Store) error) error {
	var events []audited
	err := s.store.InTx(ctx, func(tx crmguard.Store) error {
		events = events[:0] // a store may run fn again
		return fn(&recorder{Store: tx, events: &events})
	})
	if err != nil {
		return err
	}
	if s.changes.polling.Load() {
		seqs := make([]int64, len(events))
		for i, e := range events {
			seqs[i] = e.seq
		}
		s.changes.wrote(seqs)
	}
	c := classify(events)
	s.publish(&c)
	return nil
}

// audit appends an audit event inside tx. before and after are marshalled to
// JSON; nil means absent.
func (s *Service) audit(ctx context.Context, tx crmguard.Store, a crmguard.Actor, action, targetType string, target crmguard.ID, before, after any) error {
	e := &crmguard.AuditEvent{
		OrgID: a.OrgID, Time: s.Now(), ActorID: a.UserID, Source: a.Source, ClientIP: a.ClientIP,
		Action: action, TargetType: targetType, TargetID: target,
	}
	var err error
	if e.Before, err = marshalOrNil(before); err != nil {
		return err
	}
	if e.After, err = marshalOrNil(after); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, e)
}

func marshalOrNil(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// DefaultOrg returns the first org; single-org deployments have only it.
func (s *Service) DefaultOrg(ctx context.Context) (*crmguard.Org, error) {
	orgs, err := s.store.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return nil, crmguard.ErrNotFound
	}
	return orgs[0], nil
}

// Org returns one org.
func (s *Service) Org(ctx context.Context, id crmguard.ID) (*crmguard.Org, error) {
	return s.store.GetOrg(ctx, id)
}
