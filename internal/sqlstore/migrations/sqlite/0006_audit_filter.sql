-- The audit log is searched by actor, by target and by action, newest
-- first, and paged by seq. Each index ends in seq so that such a search
-- reads only the matching events, already in order, however many others
-- the org has. An action prefix ("user.") and a time range use the org's
-- (org_id, seq) index and stop once a page is full.
CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events(org_id, actor_id, seq);
CREATE INDEX IF NOT EXISTS audit_events_target ON audit_events(org_id, target_id, seq);
CREATE INDEX IF NOT EXISTS audit_events_action ON audit_events(org_id, action, seq);
