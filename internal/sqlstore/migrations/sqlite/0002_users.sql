-- Users API: optional and custom fields, reporting line, invitations, and
-- the fields metadata of the Users module.
ALTER TABLE users ADD COLUMN reporting_to   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN extra          TEXT    NOT NULL DEFAULT '{}'; -- JSON object by API name
ALTER TABLE users ADD COLUMN invite_hash    BLOB;                          -- SHA-256 of the invitation token
ALTER TABLE users ADD COLUMN invite_expires INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_invite ON users(invite_hash) WHERE invite_hash IS NOT NULL;
CREATE INDEX users_org_modified ON users(org_id, modified_at);

CREATE TABLE fields (
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    id           INTEGER NOT NULL,
    module       TEXT    NOT NULL,
    api_name     TEXT    NOT NULL,
    api_name_key TEXT    NOT NULL, -- lower-cased, unique per module
    label        TEXT    NOT NULL,
    label_key    TEXT    NOT NULL, -- lower-cased, unique per module
    type         TEXT    NOT NULL,
    length       INTEGER NOT NULL DEFAULT 0,
    decimals     INTEGER NOT NULL DEFAULT 0,
    pick_list    TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    custom       INTEGER NOT NULL,
    mandatory    INTEGER NOT NULL DEFAULT 0,
    read_only    INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, module, api_name_key),
    UNIQUE (org_id, module, label_key)
);
