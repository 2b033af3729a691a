-- Territories and the users who belong to them, as Zoho's Territories and
-- Users Territories APIs serve them. A territory reports to one parent
-- (reporting_to 0 for the root); a membership row goes with its territory.
CREATE TABLE IF NOT EXISTS territories (
    org_id          INTEGER NOT NULL,
    id              INTEGER NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    reporting_to    INTEGER NOT NULL DEFAULT 0,
    manager         INTEGER NOT NULL DEFAULT 0,
    permission_type TEXT NOT NULL DEFAULT 'read_write_delete',
    created_by      INTEGER NOT NULL DEFAULT 0,
    modified_by     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    modified_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS territories_name ON territories (org_id, lower(name));

CREATE TABLE IF NOT EXISTS territory_users (
    org_id       INTEGER NOT NULL,
    territory_id INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    PRIMARY KEY (org_id, territory_id, user_id),
    FOREIGN KEY (org_id, territory_id) REFERENCES territories (org_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS territory_users_user ON territory_users (org_id, user_id);
