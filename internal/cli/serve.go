package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
	"github.com/crmguard/crmguard/internal/web"
	"github.com/crmguard/crmguard/internal/zohoapi"
	"github.com/spf13/cobra"
)

type serveFlags struct {
	addr, publicURL, logFormat, logLevel, trustedProxies string
	tlsCert, tlsKey, metricsAddr                         string
	demo                                                 bool
	adminEmail, company, timeZone, edition               string
	licenseUsers                                         int
	userCacheMiB                                         int
	maxConns                                             int
	sync                                                 string
	svc                                                  service.Config
	credits, concurrency                                 int
	poll, grace                                          time.Duration
	emulator, inMemory                                   bool
	emulatorKey, importFile, exportOnExit                string
	seedFile                                             string
	deterministic                                        bool
	seedValue                                            uint64
}

func serveCmd(e *env) *cobra.Command {
	var f serveFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the server",
		Long: `Run the API and OAuth server. On an empty data directory it creates the
SQLite database and one org: the Administrator and Standard profiles, the CEO
and Manager roles, an admin user (the primary contact) with a one-time
password, and a Self Client, and prints them with a ready admin token. A
later start reuses the data and prints the command that makes a token.
With --database (CRMGUARD_DATABASE) a postgres:// URL, the data is in
PostgreSQL instead, and any number of instances serve it together, each
with a pool of --max-conns connections; the emulator's control API,
--import and --export-on-exit need SQLite.
--demo also adds a realistic demo (once, to a new or an existing org) and
prints ready tokens on every start. The URL it serves on is recorded for the
CLI, whose api_domain and invitation links then name it.`,
		Example: `  crmguard serve
  crmguard serve --demo --addr 127.0.0.1:9000
  crmguard serve --addr :8443 --tls-cert cert.pem --tls-key key.pem
  crmguard serve --public-url https://crm.example.test --trusted-proxies 10.0.0.0/8
  CRMGUARD_LOG_FORMAT=json crmguard serve --data-dir /var/lib/crmguard
  CRMGUARD_DATABASE='postgres://crmguard:PASSWORD@db.internal:5432/crmguard' crmguard serve --addr :8080
  crmguard serve --in-memory --demo --emulator --emulator-key secret
  crmguard serve --emulator --import state.json --export-on-exit state.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.serve(&f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fl.StringVar(&f.publicURL, "public-url", "", "this server's public base URL, returned as api_domain (default http://ADDR)")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fl.StringVar(&f.trustedProxies, "trusted-proxies", "", "comma-separated CIDRs of proxies whose X-Forwarded-For (client address) and X-Forwarded-Proto (https) are believed")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	fl.StringVar(&f.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve /metrics on this address instead of the main one (e.g. 127.0.0.1:9090)")
	fl.BoolVar(&f.demo, "demo", false, "add the demo org's profiles, roles and users (once, also to an existing org) and print ready tokens")
	fl.StringVar(&f.adminEmail, "admin-email", "admin@example.com", "first start: the admin's e-mail")
	fl.StringVar(&f.company, "company", "crmguard", "first start: the org's company name")
	fl.StringVar(&f.timeZone, "time-zone", "UTC", "first start: the org's IANA time zone")
	fl.StringVar(&f.edition, "edition", crmguard.EditionEnterprise, "first start: edition (free, standard, professional, enterprise, ultimate), which sets API limits")
	fl.IntVar(&f.licenseUsers, "license-users", 100, "first start: user licences purchased")
	fl.IntVar(&f.credits, "api-credits", 0, "API credits per rolling 24 h (default: by edition and users)")
	fl.IntVar(&f.concurrency, "api-concurrency", 0, "concurrent API calls per org and client (default: by edition)")
	fl.DurationVar(&f.svc.SelfClientGrantTTL, "grant-ttl", 3*time.Minute, "Self Client grant code lifetime")
	fl.DurationVar(&f.svc.AuthCodeTTL, "auth-code-ttl", 2*time.Minute, "authorization code lifetime")
	fl.DurationVar(&f.svc.AccessTokenTTL, "access-token-ttl", time.Hour, "access token lifetime")
	fl.IntVar(&f.svc.GrantsPerWindow, "grants-per-window", 10, "grant codes per client per limit window")
	fl.IntVar(&f.svc.AccessPerWindow, "access-per-window", 10, "access tokens per refresh token per limit window")
	fl.DurationVar(&f.svc.LimitWindow, "limit-window", 10*time.Minute, "window of the two limits above")
	fl.IntVar(&f.svc.MaxAccessPerRefresh, "max-access-per-refresh", 15, "live access tokens per refresh token (oldest invalidated)")
	fl.IntVar(&f.svc.MaxRefreshPerUser, "max-refresh-per-user", 20, "live refresh tokens per user per client (oldest revoked)")
	fl.IntVar(&f.maxConns, "max-conns", sqlstore.DefaultPostgresConns, "PostgreSQL: connections in this instance's pool (SQLite ignores it)")
	fl.StringVar(&f.sync, "sync", sqlstore.DefaultSync, "SQLite: when a commit reaches the disk: normal (a write survives kill -9 of the process; a power loss or OS crash\ncan undo the last ones, never corrupting the file) or full (an fsync per commit: survives a power loss too)")
	fl.IntVar(&f.userCacheMiB, "user-cache-mib", zohoapi.DefaultUserCacheBytes>>20, "MiB of encoded users kept for the Users API (0 turns the cache off)")
	fl.DurationVar(&f.poll, "poll-interval", 100*time.Millisecond, "SQLite: how often to look for changes made by other processes (the CLI); on PostgreSQL the server listens for them instead")
	fl.DurationVar(&f.grace, "shutdown-timeout", 15*time.Second, "how long requests in flight may finish on SIGINT/SIGTERM")
	fl.BoolVar(&f.emulator, "emulator", false, "serve the test control API under "+emulator.Prefix+" (reset, snapshots, export/import, clock, seed, faults, journal), guarded by a key")
	fl.StringVar(&f.emulatorKey, "emulator-key", "", "the key control requests send as "+emulator.KeyHeader+" (default: a random one, printed at start); implies --emulator")
	fl.StringVar(&f.importFile, "import", "", "replace the whole state with this export before serving (see 'crmguard emulator export')")
	fl.StringVar(&f.exportOnExit, "export-on-exit", "", "write the whole state to this file on a graceful stop (SIGINT/SIGTERM)")
	fl.StringVar(&f.seedFile, "seed", "", "apply this seed file (YAML or JSON: profiles, roles, fields, users, clients, tokens) at start; see 'crmguard seed check'")
	fl.BoolVar(&f.inMemory, "in-memory", false, "keep the database in memory: no file is written, and everything ends with the process (not with --database)")
	fl.BoolVar(&f.deterministic, "deterministic", false, "make IDs, tokens, client ids and secrets repeatable run after run (seed 1); for tests, on a fresh state (--in-memory or an empty data directory)")
	fl.Uint64Var(&f.seedValue, "seed-value", 0, "like --deterministic, with this seed")
	return c
}

func (f *serveFlags) validate() (slog.Level, []netip.Prefix, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.logLevel)); err != nil {
		return lvl, nil, usagef("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return lvl, nil, usagef("--log-format %q: want text or json", f.logFormat)
	}
	if !access.ValidEdition(f.edition) {
		return lvl, nil, usagef("--edition %q: want free, standard, professional, enterprise or ultimate", f.edition)
	}
	if _, err := time.LoadLocation(f.timeZone); err != nil {
		return lvl, nil, usagef("--time-zone %q: not an IANA time zone", f.timeZone)
	}
	for name, d := range map[string]time.Duration{"grant-ttl": f.svc.SelfClientGrantTTL, "auth-code-ttl": f.svc.AuthCodeTTL,
		"access-token-ttl": f.svc.AccessTokenTTL, "limit-window": f.svc.LimitWindow, "poll-interval": f.poll, "shutdown-timeout": f.grace} {
		if d <= 0 {
			return lvl, nil, usagef("--%s must be positive", name)
		}
	}
	for name, n := range map[string]int{"grants-per-window": f.svc.GrantsPerWindow, "access-per-window": f.svc.AccessPerWindow,
		"max-access-per-refresh": f.svc.MaxAccessPerRefresh, "max-refresh-per-user": f.svc.MaxRefreshPerUser, "license-users": f.licenseUsers,
		"max-conns": f.maxConns} {
		if n <= 0 {
			return lvl, nil, usagef("--%s must be positive", name)
		}
	}
	if f.sync != sqlstore.SyncNormal && f.sync != sqlstore.SyncFull {
		return lvl, nil, usagef("--sync %q: want normal or full", f.sync)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return lvl, nil, usagef("--tls-cert and --tls-key go together")
	}
	if f.publicURL != "" {
		if u, err := url.Parse(f.publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return lvl, nil, usagef("--public-url %q: want an http:// or https:// URL", f.publicURL)
		}
	}
	if f.credits < 0 || f.concurrency < 0 {
		return lvl, nil, usagef("--api-credits and --api-concurrency must not be negative")
	}
	var proxies []netip.Prefix
	for _, s := range strings.Split(f.trustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := service.ParseRange(s)
		if err != nil {
			return lvl, nil, usagef("--trusted-proxies: %q is not a CIDR or address", s)
		}
		proxies = append(proxies, p)
	}
	return lvl, proxies, nil
}

func (e *env) serve(f *serveFlags) error {
	lvl, proxies, err := f.validate()
	if err != nil {
		return err
	}
	if err := e.validateServeDatabase(f); err != nil {
		return err
	}
	var h slog.Handler = slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: lvl})
	if f.logFormat == "json" {
		h = slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: lvl})
	}
	log := slog.New(h)

	var tlsConfig *tls.Config
	if f.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return usagef("--tls-cert/--tls-key: %v", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	defer ln.Close()
	scheme := "http://"
	if tlsConfig != nil {
		scheme = "https://"
		ln = tls.NewListener(ln, tlsConfig)
	}
	if f.publicURL == "" {
		f.publicURL = scheme + ln.Addr().String()
	}
	f.svc.PublicURL = strings.TrimRight(f.publicURL, "/")
	var metricsLn net.Listener
	if f.metricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", f.metricsAddr); err != nil {
			return fmt.Errorf("listen on %s (--metrics-addr): %w", f.metricsAddr, err)
		}
		defer metricsLn.Close()
	}

	var imported *crmguard.Snapshot
	if f.importFile != "" {
		if imported, err = readExport(f.importFile); err != nil {
			return usagef("--import: %v", err)
		}
	}
	var st *sqlstore.Store
	if !f.inMemory {
		st, err = e.openStore(true, sqlstore.WithSync(f.sync), sqlstore.WithMaxConns(f.maxConns),
			sqlstore.WithMigrationNotice(func(version string) { log.Info("upgrading the database", "migration", version) }))
		if err != nil {
			return err
		}
		defer st.Close()
		// The CLI, another process, reads it as its default for api_domain
		// and invitation links; the last server started is the one a user
		// most likely means.
		if err := st.SetSetting(e.ctx, sqlstore.SettingPublicURL, f.svc.PublicURL); err != nil {
			return fmt.Errorf("record the public URL: %w", err)
		}
	}
	var emu *emulator.Config
	if f.emulator || f.emulatorKey != "" {
		emu = &emulator.Config{Key: f.emulatorKey}
	}
	cacheBytes := f.userCacheMiB << 20
	if f.userCacheMiB == 0 {
		cacheBytes = -1
	}
	if f.deterministic || f.seedValue != 0 {
		// Anyone who knows the seed can mint tokens this server accepts:
		// a test fixture, never a real installation.
		seed := f.seedValue
		if seed == 0 {
			seed = 1
		}
		f.svc.Random, f.svc.IDs, f.svc.TokenKey = service.Deterministic(seed)
		log.Warn("deterministic run: IDs, tokens and secrets follow a fixed seed; for tests only", "seed", seed)
	}
	https := tlsConfig != nil || strings.HasPrefix(f.svc.PublicURL, "https://")
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	stack, err := server.Open(ctx, server.Options{
		Store:    st,
		InMemory: f.inMemory,
		Import:   imported,
		SeedFile: f.seedFile,
		Emulator: emu,
		Service:  f.svc,
		Bootstrap: service.BootstrapOptions{CompanyName: f.company, AdminEmail: f.adminEmail,
			TimeZone: f.timeZone, Edition: f.edition, LicenseUsers: f.licenseUsers},
		Demo:            f.demo,
		Guard:           guard.Config{ClientIP: web.ClientIP{Trusted: proxies, HTTPS: https}, Credits: f.credits, Concurrency: f.concurrency},
		UserCacheBytes:  cacheBytes,
		SeparateMetrics: metricsLn != nil,
		Log:             log,
		PollInterval:    f.poll,
	})
	if err != nil {
		return err
	}
	defer stack.Close()
	if metricsLn != nil {
		go func() {
			if err := server.Serve(ctx, metricsLn, stack.Metrics.Handler(), log, f.grace); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("metrics listener", "err", err)
			}
		}()
		fmt.Fprintf(e.stdout, "Metrics: http://%s/metrics\n", metricsLn.Addr())
	}

	if err := e.banner(f, stack); err != nil {
		return err
	}
	where := "data_dir"
	if e.database != "" {
		where = "database"
	}
	log.Info("listening", "addr", ln.Addr().String(), "public_url", f.svc.PublicURL, where, e.where(f))
	if err := server.Serve(ctx, ln, stack.Handler, log, f.grace); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if f.exportOnExit != "" {
		// After Serve returned no request is in flight, so the file holds
		// the state the last answered request left.
		// The stop cancelled e.ctx; the export must still run.
		xctx, xcancel := context.WithTimeout(context.WithoutCancel(e.ctx), time.Minute)
		defer xcancel()
		if err := writeExport(xctx, stack.Store, f.exportOnExit); err != nil {
			return fmt.Errorf("--export-on-exit: %w", err)
		}
		log.Info("exported", "file", f.exportOnExit)
	}
	log.Info("stopped")
	return nil
}

// where says where the data lives, for the banner and the log.
func (e *env) where(f *serveFlags) string {
	if f.inMemory {
		return "memory only"
	}
	return e.dbName()
}

// validateServeDatabase refuses what the database cannot do: an in-memory
// database is not the one --database names, and the emulator's snapshots
// (its reset, --import, --export-on-exit) copy a SQLite database's tables.
func (e *env) validateServeDatabase(f *serveFlags) error {
	if f.inMemory && e.database != "" {
		return usagef("--in-memory and --database do not go together: an in-memory database is not the one --database names")
	}
	if !e.postgres() {
		return nil
	}
	for _, c := range []struct {
		set  bool
		flag string
	}{{f.emulator || f.emulatorKey != "", "--emulator"}, {f.importFile != "", "--import"}, {f.exportOnExit != "", "--export-on-exit"}} {
		if c.set {
			return usagef("%s needs a SQLite database (its snapshots, reset and import copy SQLite's tables): leave out %s, or --database for a SQLite file", c.flag, c.flag)
		}
	}
	return nil
}

// readExport reads an exported state file.
func readExport(path string) (*crmguard.Snapshot, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return emulator.ReadSnapshot(bufio.NewReader(fh))
}

// writeExport writes the store's whole state to path, through a temporary
// file renamed over it once complete, so a stop that fails half-way never
// leaves a truncated export where the last good one was.
func writeExport(ctx context.Context, st crmguard.Snapshotter, path string) error {
	snap, err := st.Snapshot(ctx)
	if err != nil {
		return err
	}
	b, err := web.Marshal(snap)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}
