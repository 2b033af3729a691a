-- Users read from an index (see userpage.go). 0015 stored each user's
-- packed text in the row beside the columns it is made of, so the row was
-- twice its size and a page of users walked twice the pages. Now packed is
-- a virtual column, computed from the row when read, and the index
-- users_packed holds it by (org_id, id): a user by ID, or a page of IDs,
-- is read from the index alone, whose entries are half a row. SQLite
-- keeps the index in step with every write, as it kept the stored column.
-- The index also takes the place of 0015's UNIQUE (org_id, id): id is the
-- rowid, unique on its own, and nothing references the pair.
-- Changing a stored column to a virtual one takes a rebuild of the table.

CREATE TABLE users_new (
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    id            INTEGER PRIMARY KEY,
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
    reporting_to   INTEGER NOT NULL DEFAULT 0,
    extra          TEXT    NOT NULL DEFAULT '{}', -- JSON object by API name
    invite_hash    BLOB,                          -- SHA-256 of the invitation token
    invite_expires INTEGER NOT NULL DEFAULT 0,
    zuid           INTEGER NOT NULL,              -- Zoho Accounts' user ID (see 0009)
    -- As in 0015, now computed rather than stored: users_packed holds it.
    packed TEXT GENERATED ALWAYS AS (
        org_id || char(31) || id || char(31) || role_id || char(31) || profile_id || char(31) ||
        confirmed || char(31) || must_change_password || char(31) || created_by || char(31) ||
        modified_by || char(31) || created_at || char(31) || modified_at || char(31) ||
        reporting_to || char(31) || invite_expires || char(31) || zuid || char(31) ||
        email || char(31) || first_name || char(31) || last_name || char(31) || status || char(31) ||
        time_zone || char(31) || locale || char(31) || password_hash || char(31) || extra || char(31) ||
        hex(invite_hash)) VIRTUAL,
    UNIQUE (org_id, email_key),
    FOREIGN KEY (org_id, role_id) REFERENCES roles(org_id, id),
    FOREIGN KEY (org_id, profile_id) REFERENCES profiles(org_id, id)
);
INSERT INTO users_new (org_id, id, email, email_key, first_name, last_name, role_id, profile_id,
    status, confirmed, time_zone, locale, password_hash, must_change_password, created_by,
    modified_by, created_at, modified_at, reporting_to, extra, invite_hash, invite_expires, zuid)
SELECT org_id, id, email, email_key, first_name, last_name, role_id, profile_id,
    status, confirmed, time_zone, locale, password_hash, must_change_password, created_by,
    modified_by, created_at, modified_at, reporting_to, extra, invite_hash, invite_expires, zuid
  FROM users ORDER BY id;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE UNIQUE INDEX users_zuid ON users(zuid);
CREATE INDEX users_org_status ON users(org_id, status, id);
CREATE UNIQUE INDEX users_invite ON users(invite_hash) WHERE invite_hash IS NOT NULL;
CREATE INDEX users_org_modified ON users(org_id, modified_at);
CREATE INDEX users_packed ON users(org_id, id, packed);
