package crmguardtest

import (
	"time"

	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/service"
)

// An Option changes the server Start runs.
type Option func(*config)

type config struct {
	demo     bool
	seedFile string
	public   Config
}

// Config holds the server settings a test may change; a zero field keeps
// crmguard's default, which is Zoho's.
type Config struct {
	AdminEmail   string // admin@example.com
	CompanyName  string // crmguard
	TimeZone     string // UTC
	Edition      string // enterprise; sets the API credit and concurrency limits
	LicenseUsers int    // 100

	AccessTokenTTL time.Duration // 1 h
	GrantCodeTTL   time.Duration // Self Client codes: 3 min
	AuthCodeTTL    time.Duration // authorization-code flow: 2 min

	// APICredits and APIConcurrency override the edition's limits.
	APICredits, APIConcurrency int
}

// WithConfig sets the server's settings.
func WithConfig(c Config) Option { return func(o *config) { o.public = c } }

// WithDemo seeds the demo org: profiles, a role tree and 25 users.
func WithDemo() Option { return func(o *config) { o.demo = true } }

// WithSeedFile applies a seed file (YAML or JSON, as `crmguard serve
// --seed` reads) before the server is ready; Reset returns to it.
func WithSeedFile(path string) Option { return func(o *config) { o.seedFile = path } }

func (c Config) service() service.Config {
	return service.Config{
		AccessTokenTTL:     c.AccessTokenTTL,
		SelfClientGrantTTL: c.GrantCodeTTL,
		AuthCodeTTL:        c.AuthCodeTTL,
		// bcrypt's minimum: hashing at the default cost would be most of
		// the start time, and these passwords protect nothing.
		PasswordCost: 4,
	}
}

func (c Config) bootstrap() service.BootstrapOptions {
	return service.BootstrapOptions{CompanyName: c.CompanyName, AdminEmail: c.AdminEmail, TimeZone: c.TimeZone,
		Edition: c.Edition, LicenseUsers: c.LicenseUsers}
}

func (c Config) guard() guard.Config {
	return guard.Config{Credits: c.APICredits, Concurrency: c.APIConcurrency}
}
