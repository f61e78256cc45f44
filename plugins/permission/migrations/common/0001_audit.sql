-- The audit log: one row per permission-checked mutation, newest last.
CREATE TABLE permission_audit (
  id           {{if .Postgres}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}},
  at           {{if .Postgres}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}} NOT NULL,
  who          TEXT NOT NULL,
  permission   TEXT NOT NULL,
  action       TEXT NOT NULL DEFAULT '',
  resource_ref TEXT NOT NULL DEFAULT '',
  decision     TEXT NOT NULL,
  plugin       TEXT NOT NULL DEFAULT '',
  detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX permission_audit_who ON permission_audit (who, id);
CREATE INDEX permission_audit_permission ON permission_audit (permission, id);
