-- Scaffolder tasks and their events (Backstage's table names).
CREATE TABLE tasks (
  id                TEXT PRIMARY KEY,
  spec              TEXT NOT NULL,
  status            TEXT NOT NULL,
  created_by        TEXT,
  created_at        TIMESTAMPTZ NOT NULL,
  last_heartbeat_at TIMESTAMPTZ,
  lease_owner       TEXT,
  lease_expires_at  TIMESTAMPTZ,
  epoch             BIGINT NOT NULL DEFAULT 0,
  cancel_requested  BOOLEAN NOT NULL DEFAULT FALSE,
  recover_strategy  TEXT NOT NULL DEFAULT 'none',
  secrets           BYTEA
);
CREATE INDEX tasks_status_created_at ON tasks (status, created_at);
CREATE INDEX tasks_created_by_created_at ON tasks (created_by, created_at);

CREATE TABLE task_events (
  id          BIGSERIAL PRIMARY KEY,
  task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  body        TEXT NOT NULL,
  event_type  TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX task_events_task_id ON task_events (task_id, id);
