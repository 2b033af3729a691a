package guard

import (
	"crypto/sha256"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// Config holds the pipeline's settings.
type Config struct {
	ClientIP web.ClientIP
	// CacheSize bounds the principal cache; it is emptied when full.
	CacheSize int
	// Credits and Concurrency, when positive, override the edition's limits.
	Credits     int
	Concurrency int
	// Shared, when set, counts credits and concurrency org-wide across
	// every instance sharing its database (PostgreSQL; see shared.go);
	// nil keeps them in this process's memory, as one SQLite process
	// needs. Share must then run for as long as the guard serves.
	Shared SharedLimits
	// Heartbeat is how often an instance renews its lease in Shared
	// (DefaultHeartbeat when 0).
	Heartbeat time.Duration
}

// Guard runs the access pipeline on every API request.
type Guard struct {
	svc     *service.Service
	cfg     Config
	metrics *web.Metrics
	now     func() time.Time
	cache   *cache

	counters sync.Map // org id → *creditWindow or *sharedCredits; org|client → *atomic.Int32
	share    *sharing // nil unless cfg.Shared is set
}

// New builds the pipeline over svc. Its principal cache follows the
// service's changes, so a change made through svc, or one that svc.Watch
// noticed in another process, applies on the very next request.
func New(svc *service.Service, cfg Config, m *web.Metrics) *Guard {
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 100_000
	}
	g := &Guard{svc: svc, cfg: cfg, metrics: m, now: svc.Now, cache: newCache(cfg.CacheSize)}
	if cfg.Shared != nil {
		g.share = newSharing(cfg.Shared, cfg.Heartbeat)
	}
	svc.SubscribeChanges(g.cache.drop)
	return g
}

// Ticket is a granted request. Done must be called when it ends, to release
// its place in the concurrency limit.
type Ticket struct {
	P        *crmguard.Principal
	inflight *atomic.Int32
	credits  credits
	taken    time.Time
	// The rate-limit headers' values: see SetRateLimit.
	limit, reset []string
	left         int
}

// Refund gives back the request's credit: the handler refused the call
// (its own Manage_* permission, step 8 of the pipeline), and a refused
// call spends no credit.
func (t Ticket) Refund() {
	if t.credits != nil {
		t.credits.give(t.taken)
	}
}

// Done releases the request's concurrency slot.
func (t Ticket) Done() {
	if t.inflight != nil {
		t.inflight.Add(-1)
	}
}

// Denials of the pipeline, in Zoho's words.
var (
	errNoAuth     = crmguard.NewError(crmguard.CodeAuthenticationFailure, "Authentication failed", nil)
	errInactive   = crmguard.NewError(crmguard.CodeInactiveUser, "Inactive user cannot access the API.", nil)
	errNoAPI      = crmguard.NewError(crmguard.CodeNoPermission, "permission denied", crmguard.Details{"permissions": []string{crmguard.PermAPIAccess}})
	errScope      = crmguard.NewError(crmguard.CodeOAuthScopeMismatch, "invalid oauth scope to access this URL", nil)
	errConcurrent = &crmguard.Error{Code: crmguard.CodeTooManyRequests, RetryAfter: 1,
		Message: "The concurrency limit of the user for the app is exceeded"}
)

// Authorize runs steps 2 to 7 of the pipeline (the router did step 1):
// token, user status, IP rule, API access, scope, then API limits. When
// the request's context holds a Decision (see WithDecision), it records
// which step allowed or denied the call and why.
func (g *Guard) Authorize(r *http.Request, scope access.RouteScope) (Ticket, error) {
	e, why, err := g.principal(r)
	if err != nil {
		if d := decisionOf(r); d != nil {
			if _, zoho := crmguard.AsError(err); !zoho {
				why = "the token could not be resolved: " + err.Error()
			}
			d.deny(nil, StepToken, why)
		}
		return Ticket{}, g.deny(tokenHint(err, why))
	}
	p := e.p
	now := g.now()
	if !now.Before(p.ExpiresAt) {
		if d := decisionOf(r); d != nil {
			d.deny(p, StepToken, "token expired at "+p.ExpiresAt.UTC().Format(time.RFC3339))
		}
		return Ticket{}, g.deny(errBadTokenHint)
	}
	if !p.UserActive {
		if d := decisionOf(r); d != nil {
			d.deny(p, StepStatus, statusReason(p.UserStatus))
		}
		return Ticket{}, g.deny(errInactive)
	}
	if p.IPRestricted {
		addr := g.cfg.ClientIP.Addr(r)
		ipr := access.IPRestriction{Restricted: true, Allowed: p.AllowedIPs}
		if !ipr.Allows(addr) {
			if d := decisionOf(r); d != nil {
				d.deny(p, StepIP, addr.String()+" is outside the IP rules for "+p.Email+", profile "+p.ProfileName)
			}
			return Ticket{}, g.deny(crmguard.NewError(crmguard.CodeNoPermission, "Access denied from this IP address",
				crmguard.Details{"ip": addr.String()}))
		}
	}
	if !p.Permissions.HasIndex(e.apiIndex) {
		if d := decisionOf(r); d != nil {
			d.deny(p, StepAPIAccess, "profile "+p.ProfileName+" lacks Zoho CRM API Access")
		}
		return Ticket{}, g.deny(errNoAPI)
	}
	if !access.ScopeMask(p.ScopeMask).Covers(scope) {
		if d := decisionOf(r); d != nil {
			d.deny(p, StepScope, scopeReason(scope.String(), p))
		}
		return Ticket{}, g.deny(scopeDenial(scope, p))
	}
	// A refused call spends no credit: the concurrency slot is taken
	// first, and given back if the day's credits are gone, so a client
	// over its concurrency limit cannot burn the org's daily budget with
	// 429s.
	conc := int32(p.Concurrency)
	if g.share != nil {
		conc = g.share.concurrency(conc)
	}
	if e.inflight.Add(1) > conc {
		e.inflight.Add(-1)
		if d := decisionOf(r); d != nil {
			n := strconv.Itoa(p.Concurrency)
			if g.share != nil {
				n = concurrencyShare(g, int32(p.Concurrency), conc)
			}
			d.deny(p, StepLimits, "concurrency "+n+" reached for client "+p.ClientID)
		}
		return Ticket{}, g.deny(errConcurrent)
	}
	ok, retry, left, reset, taken, err := e.credits.spend(r.Context(), now, p.Credits)
	if err != nil {
		e.inflight.Add(-1)
		if d := decisionOf(r); d != nil {
			d.deny(p, StepLimits, "the org's API credits could not be reserved: "+err.Error())
		}
		return Ticket{}, err
	}
	if !ok {
		e.inflight.Add(-1)
		if d := decisionOf(r); d != nil {
			d.deny(p, StepLimits, "the org's "+strconv.Itoa(p.Credits)+" API credits for 24 hours are spent; one frees in "+strconv.Itoa(retry)+" s")
		}
		return Ticket{}, g.deny(&crmguard.Error{Code: crmguard.CodeTooManyRequests, RetryAfter: retry,
			Message: "The number of API requests for the 24 hour period is exceeded",
			Header:  rateLimitHeader(e.limit, "0", reset)})
	}
	if d := decisionOf(r); d != nil {
		d.allow(p)
	}
	return Ticket{P: p, inflight: e.inflight, credits: e.credits, taken: taken,
		limit: e.limit, reset: reset, left: left}, nil
}

func (g *Guard) deny(err error) error {
	if ze, ok := err.(*crmguard.Error); ok {
		g.metrics.Denied(ze.Code)
	}
	return err
}

// Why the token step denies, for a Decision.
const (
	whyNoHeader  = "no Authorization header"
	whyMalformed = `the Authorization header is not "Zoho-oauthtoken <token>" or "Bearer <token>"`
	whyForged    = "unknown or forged token (its check value does not match)"
	whyUnknown   = "unknown, revoked or expired token"
)

// principal finds the request's principal: from the cache when warm, else
// from storage. When it fails, why says so in words.
func (g *Guard) principal(r *http.Request) (e *entry, why string, err error) {
	hv := r.Header["Authorization"]
	if len(hv) == 0 || hv[0] == "" {
		return nil, whyNoHeader, errNoAuth
	}
	tok, ok := AccessToken(hv[0])
	if !ok {
		return nil, whyMalformed, service.ErrInvalidToken
	}
	var buf [256]byte
	n := copy(buf[:], tok)
	h := sha256.Sum256(buf[:n])
	if e, ok := g.cache.get(&h, g.svc.Epoch()); ok {
		return e, "", nil
	}
	// Not cached: a forged or random token fails its check value here,
	// before any database read (the key is read once per process).
	if ok, err := g.svc.TokenSigned(r.Context(), tok); err != nil {
		return nil, "", err
	} else if !ok {
		return nil, whyForged, service.ErrInvalidToken
	}
	epoch, start := g.svc.Epoch(), g.svc.Seq()
	p, err := g.svc.Principal(r.Context(), h)
	if err != nil {
		return nil, whyUnknown, err
	}
	if g.cfg.Credits > 0 {
		p.Credits = g.cfg.Credits
	}
	if g.cfg.Concurrency > 0 {
		p.Concurrency = g.cfg.Concurrency
	}
	apiIndex, _ := crmguard.PermissionIndex(crmguard.PermAPIAccess)
	e = &entry{p: p, epoch: epoch, apiIndex: apiIndex, limit: []string{strconv.Itoa(p.Credits)},
		inflight: g.counter(p.OrgID.String()+"|"+p.ClientID, func() any { return new(atomic.Int32) }).(*atomic.Int32),
	}
	if g.share != nil {
		e.credits = g.counter(p.OrgID.String(), func() any { return newSharedCredits(p.OrgID, g.share.store) }).(*sharedCredits)
	} else {
		e.credits = g.counter(p.OrgID.String(), func() any { return new(creditWindow) }).(*creditWindow)
	}
	g.cache.put(h, e, func() bool { return g.svc.StalePrincipal(start, p.UserID) })
	return e, "", nil
}

func (g *Guard) counter(key string, mk func() any) any {
	if v, ok := g.counters.Load(key); ok {
		return v
	}
	v, _ := g.counters.LoadOrStore(key, mk())
	return v
}

// ClientIP is the address a request comes from, by the trusted-proxy rules.
func (g *Guard) ClientIP(r *http.Request) string { return g.cfg.ClientIP.Addr(r).String() }

// ResetLimits forgets every org's spent credits and every client's calls in
// flight, and the cached principals that point at those counters. The
// emulator calls it after a reset or restore; calls still in flight give
// their slot back to the old counter, which no one reads any more. With
// Config.Shared the credits spent are counted in the shared database and
// stay counted; this instance only gives back its unspent batches.
func (g *Guard) ResetLimits() {
	if g.share != nil {
		// Shared limits live in the database: give back this instance's
		// unspent batches before forgetting them.
		g.releaseCredits()
	}
	g.counters.Clear()
	g.cache.clear()
}
