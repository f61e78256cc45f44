-- Scaffolder tasks and their events (Backstage's table names). Times are UTC.
CREATE TABLE tasks (
  id                TEXT PRIMARY KEY,
  spec              TEXT NOT NULL,               -- TaskSpec JSON, steps unrendered
  status            TEXT NOT NULL,               -- open|processing|failed|cancelled|completed
  created_by        TEXT,
  created_at        TIMESTAMP NOT NULL,
  last_heartbeat_at TIMESTAMP,
  lease_owner       TEXT,                        -- worker holding the task
  lease_expires_at  TIMESTAMP,
  epoch             INTEGER NOT NULL DEFAULT 0,  -- bumped on every claim/recovery; fences late writes
  cancel_requested  INTEGER NOT NULL DEFAULT 0,
  recover_strategy  TEXT NOT NULL DEFAULT 'none',-- none|startOver, from the template
  secrets           BLOB                         -- sealed (AES-GCM); NULL once claimed unless startOver
);
CREATE INDEX tasks_status_created_at ON tasks (status, created_at);
CREATE INDEX tasks_created_by_created_at ON tasks (created_by, created_at);

CREATE TABLE task_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  body        TEXT NOT NULL,
  event_type  TEXT NOT NULL,                     -- log|completion|cancelled|recovered
  created_at  TIMESTAMP NOT NULL
);
CREATE INDEX task_events_task_id ON task_events (task_id, id);
