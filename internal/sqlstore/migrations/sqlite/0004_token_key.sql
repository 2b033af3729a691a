-- The key of the check value carried inside every token, code and refresh
-- token: one row, made once per installation by Store.TokenKey.
CREATE TABLE token_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB    NOT NULL
);

-- The grant a token came from, so that a replayed authorization code can
-- revoke what its first exchange minted (RFC 6749 §4.1.2). 0: no grant.
ALTER TABLE refresh_tokens ADD COLUMN grant_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE access_tokens ADD COLUMN grant_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id) WHERE grant_id <> 0;
CREATE INDEX access_tokens_grant ON access_tokens(grant_id) WHERE grant_id <> 0;

-- Tokens and codes made before carry no check value and no longer pass:
-- mark them revoked and used, so that no list shows them as live.
UPDATE refresh_tokens SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE revoked_at IS NULL;
UPDATE access_tokens SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE revoked_at IS NULL;
UPDATE grants SET used_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE used_at IS NULL;
