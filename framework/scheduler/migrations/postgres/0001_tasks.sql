-- Global task coordination, one row per task id (Backstage's table).
CREATE TABLE IF NOT EXISTS backstage_backend_tasks__tasks (
    id TEXT PRIMARY KEY NOT NULL,
    settings_json TEXT NOT NULL,
    next_run_start_at TIMESTAMPTZ NULL,
    current_run_ticket TEXT NULL,
    current_run_started_at TIMESTAMPTZ NULL,
    current_run_expires_at TIMESTAMPTZ NULL,
    last_run_ended_at TIMESTAMPTZ NULL,
    last_run_error_json TEXT NULL
);
