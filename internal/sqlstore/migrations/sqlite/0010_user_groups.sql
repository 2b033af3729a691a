-- User groups (Zoho's /settings/user_groups) and their sources. Zoho's
-- sources are users, roles, territories and other groups; crmguard keeps
-- users and roles. A source's ID is not a foreign key, since it names a
-- user or a role by type: reads skip a role that no longer exists.
-- IF NOT EXISTS: an upgrade test replays the migrations after 0004.
CREATE TABLE IF NOT EXISTS user_groups (
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    id          INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    created_by  INTEGER NOT NULL DEFAULT 0,
    modified_by INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS user_groups_name ON user_groups(org_id, lower(name));

CREATE TABLE IF NOT EXISTS user_group_sources (
    org_id       INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    type         TEXT    NOT NULL CHECK (type IN ('users', 'roles')),
    source_id    INTEGER NOT NULL,
    subordinates INTEGER NOT NULL DEFAULT 0,
    position     INTEGER NOT NULL, -- the order the client gave them in
    PRIMARY KEY (org_id, group_id, type, source_id),
    FOREIGN KEY (org_id, group_id) REFERENCES user_groups(org_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS user_group_sources_source ON user_group_sources(org_id, type, source_id);
