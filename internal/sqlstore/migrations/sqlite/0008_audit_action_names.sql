-- One action, one name: the demo seed recorded adding a user as
-- user.create and a role as role.create, while the API, the console and
-- the CLI record user.add and role.add. Filtering the log by action (exact
-- or by prefix) must find every such event under the one name, so events
-- written by earlier versions take it too.
UPDATE audit_events SET action = 'user.add' WHERE action = 'user.create';
UPDATE audit_events SET action = 'role.add' WHERE action = 'role.create';
