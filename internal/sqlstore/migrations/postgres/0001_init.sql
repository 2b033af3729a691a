-- The PostgreSQL schema: the same tables, columns and keys as the SQLite
-- migrations 0001 to 0013 leave, written once for PostgreSQL. Every ID,
-- time (Unix milliseconds, UTC), count and flag is BIGINT: PostgreSQL's
-- INTEGER is 32-bit, and the store scans every one into a 64-bit Go value.
-- Hashes and keys are BYTEA; JSON is kept as TEXT, byte for byte as written.

CREATE TABLE orgs (
    id              BIGINT PRIMARY KEY,
    company_name    TEXT   NOT NULL,
    alias           TEXT   NOT NULL DEFAULT '',
    primary_email   TEXT   NOT NULL DEFAULT '',
    primary_user_id BIGINT NOT NULL DEFAULT 0,
    domain_name     TEXT   NOT NULL DEFAULT '',
    country         TEXT   NOT NULL DEFAULT '',
    country_code    TEXT   NOT NULL DEFAULT '',
    city            TEXT   NOT NULL DEFAULT '',
    street          TEXT   NOT NULL DEFAULT '',
    state           TEXT   NOT NULL DEFAULT '',
    zip             TEXT   NOT NULL DEFAULT '',
    phone           TEXT   NOT NULL DEFAULT '',
    mobile          TEXT   NOT NULL DEFAULT '',
    fax             TEXT   NOT NULL DEFAULT '',
    website         TEXT   NOT NULL DEFAULT '',
    employee_count  TEXT   NOT NULL DEFAULT '',
    description     TEXT   NOT NULL DEFAULT '',
    currency        TEXT   NOT NULL DEFAULT '',
    currency_symbol TEXT   NOT NULL DEFAULT '',
    currency_locale TEXT   NOT NULL DEFAULT '',
    iso_code        TEXT   NOT NULL DEFAULT '',
    time_zone       TEXT   NOT NULL DEFAULT 'UTC',
    type            TEXT   NOT NULL DEFAULT 'production',
    edition         TEXT   NOT NULL DEFAULT 'enterprise',
    license_users   BIGINT NOT NULL DEFAULT 0,
    paid            BIGINT NOT NULL DEFAULT 0,
    trial_expiry    BIGINT,
    paid_expiry     BIGINT,
    created_at      BIGINT NOT NULL,
    modified_at     BIGINT NOT NULL
);

CREATE TABLE permissions (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    id     BIGINT NOT NULL,
    idx    BIGINT NOT NULL, -- index in the code's catalogue
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, idx)
);

CREATE TABLE profiles (
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    id            BIGINT NOT NULL,
    name          TEXT   NOT NULL,
    name_key      TEXT   NOT NULL, -- lower-cased name, unique per org
    display_label TEXT   NOT NULL,
    description   TEXT   NOT NULL DEFAULT '',
    type          TEXT   NOT NULL DEFAULT 'normal_profile',
    custom        BIGINT NOT NULL,
    is_default    BIGINT NOT NULL DEFAULT 0,
    perms0        BIGINT NOT NULL DEFAULT 0, -- PermSet words: catalogue bits 0..63
    perms1        BIGINT NOT NULL DEFAULT 0, -- catalogue bits 64..127
    created_by    BIGINT NOT NULL DEFAULT 0,
    modified_by   BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    modified_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, name_key)
);
CREATE UNIQUE INDEX profiles_id ON profiles(id);

CREATE TABLE roles (
    org_id           BIGINT NOT NULL REFERENCES orgs(id),
    id               BIGINT NOT NULL,
    name             TEXT   NOT NULL,
    display_label    TEXT   NOT NULL,
    description      TEXT   NOT NULL DEFAULT '',
    reporting_to     BIGINT NOT NULL DEFAULT 0,
    share_with_peer  BIGINT NOT NULL DEFAULT 0,
    admin_user       BIGINT NOT NULL DEFAULT 0,
    created_by       BIGINT NOT NULL DEFAULT 0,
    modified_by      BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    modified_at      BIGINT NOT NULL,
    forecast_manager BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX roles_id ON roles(id);
CREATE UNIQUE INDEX roles_name ON roles(org_id, lower(name));

CREATE TABLE users (
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    id            BIGINT NOT NULL,
    email         TEXT   NOT NULL,
    email_key     TEXT   NOT NULL, -- lower-cased e-mail, unique per org
    first_name    TEXT   NOT NULL DEFAULT '',
    last_name     TEXT   NOT NULL DEFAULT '',
    role_id       BIGINT NOT NULL,
    profile_id    BIGINT NOT NULL,
    status        TEXT   NOT NULL,
    confirmed     BIGINT NOT NULL DEFAULT 0,
    time_zone     TEXT   NOT NULL DEFAULT '',
    locale        TEXT   NOT NULL DEFAULT '',
    password_hash TEXT   NOT NULL DEFAULT '',
    must_change_password BIGINT NOT NULL DEFAULT 0,
    created_by    BIGINT NOT NULL DEFAULT 0,
    modified_by   BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    modified_at   BIGINT NOT NULL,
    reporting_to  BIGINT NOT NULL DEFAULT 0,
    extra         TEXT   NOT NULL DEFAULT '{}', -- JSON object by API name
    invite_hash   BYTEA,                        -- SHA-256 of the invitation token
    invite_expires BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email_key),
    FOREIGN KEY (org_id, role_id) REFERENCES roles(org_id, id),
    FOREIGN KEY (org_id, profile_id) REFERENCES profiles(org_id, id)
);
CREATE UNIQUE INDEX users_id ON users(id);
CREATE INDEX users_org_status ON users(org_id, status, id);
CREATE UNIQUE INDEX users_invite ON users(invite_hash) WHERE invite_hash IS NOT NULL;
CREATE INDEX users_org_modified ON users(org_id, modified_at);

-- Each user's ZUID (see the SQLite migration 0009): the next number after
-- the highest, given in the statement that inserts the user. The advisory
-- lock makes two concurrent inserts take turns rather than pick the same
-- number.
CREATE TABLE user_zuids (
    user_id BIGINT NOT NULL PRIMARY KEY,
    zuid    BIGINT NOT NULL UNIQUE
);
CREATE FUNCTION users_zuid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(current_schema() || '.user_zuids'));
    INSERT INTO user_zuids (user_id, zuid)
    SELECT NEW.id, COALESCE(MAX(zuid), 700000000) + 1 FROM user_zuids
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER users_zuid AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_zuid();

CREATE TABLE fields (
    org_id       BIGINT NOT NULL REFERENCES orgs(id),
    id           BIGINT NOT NULL,
    module       TEXT   NOT NULL,
    api_name     TEXT   NOT NULL,
    api_name_key TEXT   NOT NULL, -- lower-cased, unique per module
    label        TEXT   NOT NULL,
    label_key    TEXT   NOT NULL, -- lower-cased, unique per module
    type         TEXT   NOT NULL,
    length       BIGINT NOT NULL DEFAULT 0,
    decimals     BIGINT NOT NULL DEFAULT 0,
    pick_list    TEXT   NOT NULL DEFAULT '[]', -- JSON array of strings
    custom       BIGINT NOT NULL,
    mandatory    BIGINT NOT NULL DEFAULT 0,
    read_only    BIGINT NOT NULL DEFAULT 0,
    created_by   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, module, api_name_key),
    UNIQUE (org_id, module, label_key)
);

CREATE TABLE clients (
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    id            BIGINT NOT NULL,
    client_id     TEXT   NOT NULL UNIQUE,
    secret_hash   BYTEA  NOT NULL,
    name          TEXT   NOT NULL,
    type          TEXT   NOT NULL,
    redirect_uris TEXT   NOT NULL DEFAULT '', -- newline-separated
    created_by    BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE grants (
    org_id         BIGINT NOT NULL REFERENCES orgs(id),
    id             BIGINT NOT NULL,
    code_hash      BYTEA  NOT NULL UNIQUE,
    client_id      TEXT   NOT NULL,
    user_id        BIGINT NOT NULL,
    scopes         TEXT   NOT NULL,
    redirect_uri   TEXT   NOT NULL DEFAULT '',
    code_challenge TEXT   NOT NULL DEFAULT '',
    code_challenge_method TEXT NOT NULL DEFAULT '',
    offline        BIGINT NOT NULL DEFAULT 0,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX grants_client_created ON grants(client_id, created_at);

CREATE TABLE refresh_tokens (
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    id         BIGINT NOT NULL,
    token_hash BYTEA  NOT NULL UNIQUE,
    client_id  TEXT   NOT NULL,
    user_id    BIGINT NOT NULL,
    scopes     TEXT   NOT NULL,
    revoked_at BIGINT,
    last_used  BIGINT,
    created_at BIGINT NOT NULL,
    grant_id   BIGINT NOT NULL DEFAULT 0, -- the grant it came from; 0: none
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX refresh_tokens_id ON refresh_tokens(id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(org_id, user_id, client_id);
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id) WHERE grant_id <> 0;

CREATE TABLE access_tokens (
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    id         BIGINT NOT NULL,
    token_hash BYTEA  NOT NULL UNIQUE,
    refresh_id BIGINT NOT NULL DEFAULT 0,
    client_id  TEXT   NOT NULL,
    user_id    BIGINT NOT NULL,
    scopes     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL,
    grant_id   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX access_tokens_id ON access_tokens(id);
CREATE INDEX access_tokens_refresh ON access_tokens(refresh_id, created_at);
CREATE INDEX access_tokens_user ON access_tokens(org_id, user_id);
CREATE INDEX access_tokens_grant ON access_tokens(grant_id) WHERE grant_id <> 0;

CREATE TABLE token_key (
    id  BIGINT PRIMARY KEY CHECK (id = 1),
    key BYTEA  NOT NULL
);

CREATE TABLE ip_rules (
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    id         BIGINT NOT NULL,
    name       TEXT   NOT NULL DEFAULT '',
    prefix     TEXT   NOT NULL,
    applies_to TEXT   NOT NULL,
    target_id  BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE audit_events (
    seq         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    source      TEXT   NOT NULL,
    client_ip   TEXT   NOT NULL DEFAULT '',
    action      TEXT   NOT NULL,
    target_type TEXT   NOT NULL,
    target_id   BIGINT NOT NULL DEFAULT 0,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_events_org ON audit_events(org_id, seq);
CREATE INDEX audit_events_actor ON audit_events(org_id, actor_id, seq);
CREATE INDEX audit_events_target ON audit_events(org_id, target_id, seq);
CREATE INDEX audit_events_action ON audit_events(org_id, action, seq);

CREATE TABLE sessions (
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    id         BIGINT NOT NULL,
    token_hash BYTEA  NOT NULL UNIQUE,
    user_id    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE user_groups (
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    id          BIGINT NOT NULL,
    name        TEXT   NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    created_by  BIGINT NOT NULL DEFAULT 0,
    modified_by BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX user_groups_name ON user_groups(org_id, lower(name));

CREATE TABLE user_group_sources (
    org_id       BIGINT NOT NULL,
    group_id     BIGINT NOT NULL,
    type         TEXT   NOT NULL CHECK (type IN ('users', 'roles')),
    source_id    BIGINT NOT NULL,
    subordinates BIGINT NOT NULL DEFAULT 0,
    position     BIGINT NOT NULL, -- the order the client gave them in
    PRIMARY KEY (org_id, group_id, type, source_id),
    FOREIGN KEY (org_id, group_id) REFERENCES user_groups(org_id, id) ON DELETE CASCADE
);
CREATE INDEX user_group_sources_source ON user_group_sources(org_id, type, source_id);

CREATE TABLE transfer_jobs (
    org_id       BIGINT NOT NULL REFERENCES orgs(id),
    id           BIGINT NOT NULL,
    status       TEXT   NOT NULL,
    items        TEXT   NOT NULL DEFAULT '[]',
    created_by   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    completed_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE territories (
    org_id          BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    name            TEXT   NOT NULL,
    description     TEXT   NOT NULL DEFAULT '',
    reporting_to    BIGINT NOT NULL DEFAULT 0,
    manager         BIGINT NOT NULL DEFAULT 0,
    permission_type TEXT   NOT NULL DEFAULT 'read_write_delete',
    created_by      BIGINT NOT NULL DEFAULT 0,
    modified_by     BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    modified_at     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX territories_name ON territories (org_id, lower(name));

CREATE TABLE territory_users (
    org_id       BIGINT NOT NULL,
    territory_id BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    PRIMARY KEY (org_id, territory_id, user_id),
    FOREIGN KEY (org_id, territory_id) REFERENCES territories (org_id, id) ON DELETE CASCADE
);
CREATE INDEX territory_users_user ON territory_users (org_id, user_id);

CREATE TABLE org_photos (
    org_id       BIGINT NOT NULL PRIMARY KEY REFERENCES orgs(id),
    id           BIGINT NOT NULL,
    content_type TEXT   NOT NULL,
    data         BYTEA  NOT NULL,
    created_by   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
