-- Limits that every instance sharing this database counts together
-- (internal/guard's shared credits and concurrency, the service's sign-in
-- throttle). SQLite deployments are one process and keep them in memory,
-- so this migration has no SQLite twin.

-- One row per org that spent API credits: a reservation locks it, so two
-- instances reserving for one org take turns.
CREATE TABLE api_credit_orgs (
    org_id BIGINT PRIMARY KEY
);

-- Credits spent or reserved per org per minute (Unix time / 60). An org's
-- daily count is the sum of its last 1440 minutes.
CREATE TABLE api_credits (
    org_id BIGINT NOT NULL,
    minute BIGINT NOT NULL,
    used   BIGINT NOT NULL,
    PRIMARY KEY (org_id, minute)
);

-- The running instances: each renews its row every heartbeat; it is live
-- until expires_at (database time, Unix milliseconds).
CREATE TABLE instances (
    id         TEXT   PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

-- Failed sign-ins, one row per key (pair, e-mail, address) and attempt;
-- at is Unix milliseconds.
CREATE TABLE signin_failures (
    id  BIGSERIAL PRIMARY KEY,
    key TEXT      NOT NULL,
    at  BIGINT    NOT NULL
);
CREATE INDEX signin_failures_key_at ON signin_failures (key, at);
CREATE INDEX signin_failures_at ON signin_failures (at);
