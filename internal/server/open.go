package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/console"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/oauth"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/web"
	"github.com/crmguard/crmguard/internal/zohoapi"
)

// DefaultPollInterval is how often a stack looks for changes that other
// processes made to its store, unless Options say otherwise.
const DefaultPollInterval = 100 * time.Millisecond

// Options say how Open builds a stack. The zero value opens nothing: set
// Store, Path or InMemory.
type Options struct {
	// Store is an open store to build on; its opener keeps it and closes
	// it after Stack.Close. When nil, Open opens (creating if needed) the
	// database at Path, and Stack.Close closes it: a SQLite file, or a
	// PostgreSQL database when Path is a postgres:// URL.
	Store *sqlstore.Store
	Path  string
	// InMemory, with no Store, opens a fresh database that lives in memory
	// and ends with Stack.Close: no file is written.
	InMemory bool
	// BusyTimeout, when positive, is how long a write to the database at
	// Path waits for another process's write (sqlstore.DefaultBusyTimeout
	// otherwise).
	BusyTimeout time.Duration

	// Service configures the use cases; zero fields take Zoho's defaults.
	Service service.Config
	// Now is the clock of the service and the pipeline; nil is time.Now.
	Now func() time.Time
	// Bootstrap describes the org created when the store holds none.
	Bootstrap service.BootstrapOptions
	// Demo seeds the demo org (in full when this Open created the org).
	Demo bool
	// Import, when set, replaces the whole stored state before anything
	// else runs (an export, e.g. of an earlier run's --export-on-exit).
	Import *crmguard.Snapshot
	// SeedFile, when set, is a seed file (internal/seedfile) applied after
	// the org and the demo are in and before the emulator records the
	// state reset returns to; a bad file fails Open, naming its line.
	SeedFile string
	// Emulator turns the control API under /__emulator/ on; nil leaves it
	// off, and its prefix answers as any unknown URL does.
	Emulator *emulator.Config

	// Guard configures the request pipeline.
	Guard guard.Config
	// UserCacheBytes bounds the API's cache of encoded users: 0 is
	// zohoapi.DefaultUserCacheBytes, negative turns it off.
	UserCacheBytes int
	// SeparateMetrics leaves /metrics off Stack.Handler, for a caller
	// that serves Stack.Metrics on its own listener.
	SeparateMetrics bool
	// Log receives the stack's logs; nil discards them.
	Log *slog.Logger
	// PollInterval is how often the watcher looks for changes other
	// processes (the CLI, another instance) wrote to the store: 0 is
	// DefaultPollInterval; negative runs no watcher, for a caller that
	// knows nothing else writes.
	PollInterval time.Duration
}

// Stack is one running crmguard: its store, service, pipeline, metrics and
// handler tree, the org it serves, and the watcher that keeps its caches
// in step with other processes' writes.
type Stack struct {
	Store   *sqlstore.Store
	Service *service.Service
	Guard   *guard.Guard
	Metrics *web.Metrics
	// Handler serves every route: API, OAuth, console, health, metrics.
	Handler http.Handler
	// Boot is what this Open created on an empty store (the org, its
	// admin's one-time password, the Self Client's secret); nil when the
	// store already held an org.
	Boot *service.Bootstrapped
	// Demo is what Options.Demo seeded; nil without it.
	Demo *service.Demo
	// Org is the org served (the store's first).
	Org *crmguard.Org
	// Seeded is what Options.SeedFile applied, with its tokens' values;
	// nil without it.
	Seeded *service.SeedResult
	// Emulator is the control API; nil when Options.Emulator was.
	Emulator *emulator.Emulator

	// ready is set once Open finished start-up; /readyz answers 503 before.
	ready     atomic.Bool
	ownStore  bool
	stopWatch context.CancelFunc
	watching  sync.WaitGroup
	closeOnce sync.Once
}

// Open builds the whole stack: it opens the store (unless given one),
// creates the org on an empty store, seeds the demo if asked, wires the
// pipeline and every transport over the service, and starts the watcher,
// which runs until ctx ends or Close is called. The watcher starts here,
// not in a later step a caller could forget: without it, a change written
// by another process would stay invisible to this stack's caches.
func Open(ctx context.Context, opt Options) (*Stack, error) {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Stack{Store: opt.Store}
	if s.Store == nil {
		var sopts []sqlstore.Option
		if opt.BusyTimeout > 0 {
			sopts = append(sopts, sqlstore.WithBusyTimeout(opt.BusyTimeout))
		}
		sopts = append(sopts, sqlstore.WithMigrationNotice(func(version string) {
			log.Info("upgrading the database", "migration", version)
		}))
		var st *sqlstore.Store
		var err error
		if opt.InMemory {
			st, err = sqlstore.OpenMemory(ctx, sopts...)
		} else {
			st, err = sqlstore.Open(ctx, opt.Path, sopts...)
		}
		if err != nil {
			return nil, err
		}
		s.Store, s.ownStore = st, true
	}
	if err := s.build(ctx, opt, log); err != nil {
		if s.ownStore {
			s.Store.Close()
		}
		return nil, err
	}
	every := opt.PollInterval
	if every == 0 {
		every = DefaultPollInterval
	}
	if opt.InMemory && opt.Store == nil {
		every = -1 // no other process can reach an in-memory database
	}
	wctx, cancel := context.WithCancel(ctx)
	s.stopWatch = cancel
	if every > 0 || s.Store.Dialect() == "postgres" {
		// On PostgreSQL the watcher listens rather than polls, and always
		// runs: other instances share the database by design.
		wait := s.Service.StartWatch(wctx, every, log)
		s.watching.Add(1)
		go func() {
			defer s.watching.Done()
			wait()
		}()
	}
	if s.Store.Dialect() == "postgres" {
		// The shared limits' lease; at Close it gives back unspent credits.
		s.watching.Add(1)
		go func() {
			defer s.watching.Done()
			s.Guard.Share(wctx)
		}()
	}
	s.ready.Store(true)
	return s, nil
}

// build makes the org, the demo and the handler tree over s.Store.
func (s *Stack) build(ctx context.Context, opt Options, log *slog.Logger) error {
	now := opt.Now
	var clock *emulator.Clock
	if opt.Emulator != nil {
		// One clock for everything that reads time, so a test that moves
		// it moves token expiry, credit windows and audit times together.
		clock = emulator.NewClock(opt.Now)
		now = clock.Now
	}
	if opt.Import != nil {
		if err := s.Store.Restore(ctx, opt.Import); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if s.Store.Dialect() == "postgres" {
		// Sign-in throttles, API credits and concurrency count org-wide,
		// across every instance sharing the database.
		opt.Service.SignIns, opt.Guard.Shared = s.Store, s.Store
	}
	svc := service.New(s.Store, opt.Service, now)
	boot, err := svc.EnsureOrg(ctx, opt.Bootstrap)
	if err != nil {
		return err
	}
	org, err := svc.DefaultOrg(ctx)
	if err != nil {
		return err
	}
	var demo *service.Demo
	if opt.Demo {
		if demo, err = svc.SeedDemo(ctx, org.ID, boot != nil); err != nil {
			return err
		}
	}
	var seeded *service.SeedResult
	if opt.SeedFile != "" {
		if seeded, err = applySeedFile(ctx, svc, org, opt.SeedFile); err != nil {
			return err
		}
	}
	m := web.NewMetrics()
	g := guard.New(svc, opt.Guard, m)
	var emu *emulator.Emulator
	if opt.Emulator != nil {
		if emu, err = emulator.New(*opt.Emulator, emulator.Deps{Service: svc, Guard: g, State: s.Store, Clock: clock, Log: log}); err != nil {
			return err
		}
		// A reset or restore also gives back the org's API credits and
		// concurrency: a test that spent them starts again from a full
		// budget, as it would on a fresh server.
		emu.OnRestore(g.ResetLimits)
		// The state reset returns to: everything start-up wrote is in.
		if err := emu.MarkInitial(ctx); err != nil {
			return err
		}
	}
	ip := opt.Guard.ClientIP
	h := Handler(Parts{
		API:      zohoapi.New(svc, g, log, opt.UserCacheBytes),
		OAuth:    oauth.NewEndpoints(svc, m, log, ip),
		Console:  console.New(svc, log, ip),
		Emulator: emu,
		Metrics:  m, Log: log, Ready: s.readyCheck, ClientIP: ip, SeparateMetrics: opt.SeparateMetrics,
	})
	s.Service, s.Guard, s.Metrics, s.Handler, s.Emulator = svc, g, m, h, emu
	s.Boot, s.Demo, s.Org, s.Seeded = boot, demo, org, seeded
	return nil
}

// errStarting answers /readyz while Open is still starting up.
var errStarting = errors.New("starting: import, seed or bootstrap not finished")

// readyCheck is /readyz: ready once start-up finished and the database
// answers. A handler served before Open returns (a caller that listens
// first) therefore never reports ready on a half-seeded store.
func (s *Stack) readyCheck(ctx context.Context) error {
	if !s.ready.Load() {
		return errStarting
	}
	return s.Store.Ping(ctx)
}

// Close stops the watcher and waits for it, then closes the store if Open
// opened it. It does not stop an http.Server serving Handler: stop that
// first. Calling it again does nothing.
func (s *Stack) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.stopWatch()
		s.watching.Wait()
		if s.ownStore {
			err = s.Store.Close()
		}
	})
	return err
}
