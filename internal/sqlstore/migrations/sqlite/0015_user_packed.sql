-- Users laid out for reading (see userscan.go). A cold page of 200 users
-- cost SQLite more in taking rows apart and in finding each row three
-- times (the primary key index, the table, the ZUID's table) than in
-- walking them. Now:
--   * id is the rowid: a user, or a range of IDs, is one walk of the table;
--   * each user's ZUID is a column (user_zuids is folded in), given by the
--     statement that inserts the user (user.go), in the same order as
--     before: the highest so far plus one, from 700000001;
--   * packed holds the fields a read needs as one text, made by SQLite on
--     every insert and update (a stored generated column: no write can
--     leave it out of step), so a read takes one column.
-- SQLite adds such a column only by rebuilding the table. PRAGMA
-- table_info does not list generated columns, so snapshots do not carry it.

-- Any user without a ZUID gets one first, as migration 0009 gave them.
INSERT OR IGNORE INTO user_zuids (user_id, zuid)
SELECT id, (SELECT COALESCE(MAX(zuid), 700000000) FROM user_zuids)
           + ROW_NUMBER() OVER (ORDER BY created_at, id)
  FROM users
 WHERE id NOT IN (SELECT user_id FROM user_zuids);

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
    -- The fields a read needs, in userscan.go's order, joined by the
    -- ASCII unit separator (char 31); invite_hash in hexadecimal ('' for
    -- NULL; every other column is NOT NULL). Joined with || rather than
    -- concat_ws, which SQLite before 3.44 (Debian 12's sqlite3) lacks: it
    -- could not write to the table.
    packed TEXT GENERATED ALWAYS AS (
        org_id || char(31) || id || char(31) || role_id || char(31) || profile_id || char(31) ||
        confirmed || char(31) || must_change_password || char(31) || created_by || char(31) ||
        modified_by || char(31) || created_at || char(31) || modified_at || char(31) ||
        reporting_to || char(31) || invite_expires || char(31) || zuid || char(31) ||
        email || char(31) || first_name || char(31) || last_name || char(31) || status || char(31) ||
        time_zone || char(31) || locale || char(31) || password_hash || char(31) || extra || char(31) ||
        hex(invite_hash)) STORED,
    UNIQUE (org_id, id),
    UNIQUE (org_id, email_key),
    FOREIGN KEY (org_id, role_id) REFERENCES roles(org_id, id),
    FOREIGN KEY (org_id, profile_id) REFERENCES profiles(org_id, id)
);
INSERT INTO users_new (org_id, id, email, email_key, first_name, last_name, role_id, profile_id,
    status, confirmed, time_zone, locale, password_hash, must_change_password, created_by,
    modified_by, created_at, modified_at, reporting_to, extra, invite_hash, invite_expires, zuid)
SELECT org_id, id, email, email_key, first_name, last_name, role_id, profile_id,
    status, confirmed, time_zone, locale, password_hash, must_change_password, created_by,
    modified_by, created_at, modified_at, reporting_to, extra, invite_hash, invite_expires, z.zuid
  FROM users JOIN user_zuids z ON z.user_id = users.id ORDER BY users.id;
DROP TABLE users;
DROP TABLE user_zuids;
ALTER TABLE users_new RENAME TO users;
CREATE UNIQUE INDEX users_zuid ON users(zuid);
CREATE INDEX users_org_status ON users(org_id, status, id);
CREATE UNIQUE INDEX users_invite ON users(invite_hash) WHERE invite_hash IS NOT NULL;
CREATE INDEX users_org_modified ON users(org_id, modified_at);
