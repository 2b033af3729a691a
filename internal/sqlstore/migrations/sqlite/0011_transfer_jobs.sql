-- Transfer-and-delete jobs (POST /users/actions/transfer_and_delete): Zoho
-- answers a job ID and serves the job's status by it, so a job outlives its
-- request. items is a JSON array of the users deleted and what moved where.
CREATE TABLE IF NOT EXISTS transfer_jobs (
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    id           INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    items        TEXT    NOT NULL DEFAULT '[]',
    created_by   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    completed_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, id)
);
