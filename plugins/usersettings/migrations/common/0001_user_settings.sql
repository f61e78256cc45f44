-- One JSON value per (user, bucket, key), as Backstage's user-settings backend keeps them.
CREATE TABLE user_settings (
  user_entity_ref TEXT NOT NULL,
  bucket          TEXT NOT NULL,
  key             TEXT NOT NULL,
  value           TEXT NOT NULL,
  updated_at      {{if .Postgres}}TIMESTAMPTZ{{else}}TEXT{{end}} NOT NULL,
  PRIMARY KEY (user_entity_ref, bucket, key)
);
