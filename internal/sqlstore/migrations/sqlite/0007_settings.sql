-- Facts about the installation rather than the org, written by the server
-- and read by the CLI, which shares the database but not the process: the
-- public URL 'serve' answers on, so that tokens and invitation links the
-- CLI prints point at the running server. Snapshots and restores leave
-- this table alone: an export moved to another server must not carry the
-- first one's address.
CREATE TABLE IF NOT EXISTS settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
