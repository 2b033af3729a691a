package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// dbFile is the SQLite database inside the data directory.
const dbFile = "crmguard.db"

// openStore opens (creating if asked) the database: PostgreSQL when
// --database is a postgres:// URL, else the SQLite file. Without create a
// missing SQLite file is an error; a PostgreSQL database always exists
// (an empty one is migrated, and then has no org).
func (e *env) openStore(create bool, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	// On stderr unless the caller says otherwise (serve logs it).
	opts = append([]sqlstore.Option{sqlstore.WithMigrationNotice(func(version string) {
		fmt.Fprintf(e.stderr, "upgrading the database: migration %s...\n", version)
	})}, opts...)
	if e.postgres() {
		return sqlstore.OpenPostgres(e.ctx, e.database, opts...)
	}
	path := e.dbPath()
	if !create {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			if e.database != "" {
				return nil, fmt.Errorf("no database at %s: create one with 'crmguard init --database %s' or 'crmguard serve --database %s', or pass the right --database", path, path, path)
			}
			return nil, fmt.Errorf("no database at %s: create one with 'crmguard init --data-dir %s' or 'crmguard serve --data-dir %s', or pass the right --data-dir", path, e.dataDir, e.dataDir)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		if e.database != "" {
			return nil, fmt.Errorf("directory of --database: %w", err)
		}
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return sqlstore.OpenSQLite(e.ctx, path, opts...)
}

// session is what an administrative command works with: the service over
// the database, the org and the CLI's actor (the primary contact).
type session struct {
	ctx   context.Context
	store *sqlstore.Store
	svc   *service.Service
	org   *crmguard.Org
	actor crmguard.Actor
}

func (e *env) open(cfg service.Config) (*session, error) {
	st, err := e.openStore(false)
	if err != nil {
		return nil, err
	}
	if cfg.PublicURL == "" {
		// The URL the server last started with, so that api_domain and
		// invitation links point at it rather than at the default address.
		if u, err := st.Setting(e.ctx, sqlstore.SettingPublicURL); err == nil {
			cfg.PublicURL = u
		} else if !errors.Is(err, crmguard.ErrNotFound) {
			st.Close()
			return nil, err
		}
	}
	svc := service.New(st, cfg, nil)
	org, err := svc.DefaultOrg(e.ctx)
	if err != nil {
		st.Close()
		if errors.Is(err, crmguard.ErrNotFound) {
			if e.database != "" {
				return nil, fmt.Errorf("the %s has no org yet: run 'crmguard init' or 'crmguard serve' once with the same --database", e.dbDesc())
			}
			return nil, fmt.Errorf("the database in %s has no org yet: run 'crmguard init' or 'crmguard serve' once", e.dataDir)
		}
		return nil, err
	}
	return &session{ctx: e.ctx, store: st, svc: svc, org: org,
		actor: crmguard.Actor{OrgID: org.ID, UserID: org.PrimaryUserID, Source: crmguard.SourceCLI}}, nil
}

func (s *session) Close() { s.store.Close() }

// with runs fn with a session over the database.
func (e *env) with(cfg service.Config, fn func(s *session) error) error {
	s, err := e.open(cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// user resolves --user: an e-mail, or the primary contact when empty.
func (s *session) user(email string) (*crmguard.User, error) {
	if email == "" {
		return s.svc.User(s.ctx, s.org.ID, s.org.PrimaryUserID)
	}
	return s.svc.UserByEmail(s.ctx, s.org.ID, email)
}

// publicURLHelp describes a --public-url flag whose default is the URL the
// server recorded at its last start (see session opening above).
func publicURLHelp(what string) string {
	return "the server's public URL, for " + what + " (default: the URL 'serve' last started with, else http://127.0.0.1:8080)"
}
