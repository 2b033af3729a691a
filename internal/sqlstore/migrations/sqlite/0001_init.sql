-- The first schema. Every row carries its org; IDs are 64-bit integers;
-- times are Unix milliseconds in UTC. Hashes are SHA-256 (32 bytes).

CREATE TABLE orgs (
    id              INTEGER PRIMARY KEY,
    company_name    TEXT    NOT NULL,
    alias           TEXT    NOT NULL DEFAULT '',
    primary_email   TEXT    NOT NULL DEFAULT '',
    primary_user_id INTEGER NOT NULL DEFAULT 0,
    domain_name     TEXT    NOT NULL DEFAULT '',
    country         TEXT    NOT NULL DEFAULT '',
    country_code    TEXT    NOT NULL DEFAULT '',
    city            TEXT    NOT NULL DEFAULT '',
    street          TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT '',
    zip             TEXT    NOT NULL DEFAULT '',
    phone           TEXT    NOT NULL DEFAULT '',
    mobile          TEXT    NOT NULL DEFAULT '',
    fax             TEXT    NOT NULL DEFAULT '',
    website         TEXT    NOT NULL DEFAULT '',
    employee_count  TEXT    NOT NULL DEFAULT '',
    description     TEXT    NOT NULL DEFAULT '',
    currency        TEXT    NOT NULL DEFAULT '',
    currency_symbol TEXT    NOT NULL DEFAULT '',
    currency_locale TEXT    NOT NULL DEFAULT '',
    iso_code        TEXT    NOT NULL DEFAULT '',
    time_zone       TEXT    NOT NULL DEFAULT 'UTC',
    type            TEXT    NOT NULL DEFAULT 'production',
    edition         TEXT    NOT NULL DEFAULT 'enterprise',
    license_users   INTEGER NOT NULL DEFAULT 0,
    paid            INTEGER NOT NULL DEFAULT 0,
    trial_expiry    INTEGER,
    paid_expiry     INTEGER,
    created_at      INTEGER NOT NULL,
    modified_at     INTEGER NOT NULL
);

CREATE TABLE permissions (
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    id     INTEGER NOT NULL,
    idx    INTEGER NOT NULL, -- index in the code's catalogue
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, idx)
);

CREATE TABLE profiles (
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    id            INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL, -- lower-cased name, unique per org
    display_label TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    type          TEXT    NOT NULL DEFAULT 'normal_profile',
    custom        INTEGER NOT NULL,
    is_default    INTEGER NOT NULL DEFAULT 0,
    perms0        INTEGER NOT NULL DEFAULT 0, -- PermSet words: catalogue bits 0..63
    perms1        INTEGER NOT NULL DEFAULT 0, -- catalogue bits 64..127
    created_by    INTEGER NOT NULL DEFAULT 0,
    modified_by   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    modified_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, name_key)
);
CREATE UNIQUE INDEX profiles_id ON profiles(id);

CREATE TABLE roles (
    org_id          INTEGER NOT NULL REFERENCES orgs(id),
    id              INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    display_label   TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    reporting_to    INTEGER NOT NULL DEFAULT 0,
    share_with_peer INTEGER NOT NULL DEFAULT 0,
    admin_user      INTEGER NOT NULL DEFAULT 0,
    created_by      INTEGER NOT NULL DEFAULT 0,
    modified_by     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    modified_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX roles_id ON roles(id);

CREATE TABLE users (
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    id            INTEGER NOT NULL,
    email         TEXT    NOT NULL,
    email_key     TEXT    NOT NULL, -- lower-cased e-mail, unique per org
    first_name    TEXT    NOT NULL DEFAULT '',
    last_name     TEXT    NOT NULL DEFAULT '',
    role_id       INTEGER NOT NULL,
    profile_id    INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    confirmed     INTEGER NOT NULL DEFAULT 0,
    time_zone     TEXT    NOT NULL DEFAULT '',
    locale        TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL DEFAULT '',
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER NOT NULL DEFAULT 0,
    modified_by   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    modified_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email_key),
    FOREIGN KEY (org_id, role_id) REFERENCES roles(org_id, id),
    FOREIGN KEY (org_id, profile_id) REFERENCES profiles(org_id, id)
);
CREATE UNIQUE INDEX users_id ON users(id);
CREATE INDEX users_org_status ON users(org_id, status, id);

CREATE TABLE clients (
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    id            INTEGER NOT NULL,
    client_id     TEXT    NOT NULL UNIQUE,
    secret_hash   BLOB    NOT NULL,
    name          TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    redirect_uris TEXT    NOT NULL DEFAULT '', -- newline-separated
    created_by    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE grants (
    org_id         INTEGER NOT NULL REFERENCES orgs(id),
    id             INTEGER NOT NULL,
    code_hash      BLOB    NOT NULL UNIQUE,
    client_id      TEXT    NOT NULL,
    user_id        INTEGER NOT NULL,
    scopes         TEXT    NOT NULL,
    redirect_uri   TEXT    NOT NULL DEFAULT '',
    code_challenge TEXT    NOT NULL DEFAULT '',
    code_challenge_method TEXT NOT NULL DEFAULT '',
    offline        INTEGER NOT NULL DEFAULT 0,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX grants_client_created ON grants(client_id, created_at);

CREATE TABLE refresh_tokens (
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    id         INTEGER NOT NULL,
    token_hash BLOB    NOT NULL UNIQUE,
    client_id  TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    scopes     TEXT    NOT NULL,
    revoked_at INTEGER,
    last_used  INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX refresh_tokens_id ON refresh_tokens(id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(org_id, user_id, client_id);

CREATE TABLE access_tokens (
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    id         INTEGER NOT NULL,
    token_hash BLOB    NOT NULL UNIQUE,
    refresh_id INTEGER NOT NULL DEFAULT 0,
    client_id  TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    scopes     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX access_tokens_id ON access_tokens(id);
CREATE INDEX access_tokens_refresh ON access_tokens(refresh_id, created_at);
CREATE INDEX access_tokens_user ON access_tokens(org_id, user_id);

CREATE TABLE ip_rules (
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    id         INTEGER NOT NULL,
    name       TEXT    NOT NULL DEFAULT '',
    prefix     TEXT    NOT NULL,
    applies_to TEXT    NOT NULL,
    target_id  INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL DEFAULT 0,
    source      TEXT    NOT NULL,
    client_ip   TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   INTEGER NOT NULL DEFAULT 0,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_events_org ON audit_events(org_id, seq);

CREATE TABLE sessions (
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    id         INTEGER NOT NULL,
    token_hash BLOB    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
