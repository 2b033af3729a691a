-- Roles API: names unique per org in any case, and the forecast manager.
ALTER TABLE roles ADD COLUMN forecast_manager INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX roles_name ON roles(org_id, lower(name));
