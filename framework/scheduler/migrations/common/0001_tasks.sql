-- Global task coordination, one row per task id (Backstage's table).
-- IF NOT EXISTS: plugins sharing one database share this table.
{{- $time := "DATETIME"}}{{if .Postgres}}{{$time = "TIMESTAMPTZ"}}{{end}}
CREATE TABLE IF NOT EXISTS backstage_backend_tasks__tasks (
    id TEXT PRIMARY KEY NOT NULL,
    settings_json TEXT NOT NULL,
    next_run_start_at {{$time}} NULL,
    current_run_ticket TEXT NULL,
    current_run_started_at {{$time}} NULL,
    current_run_expires_at {{$time}} NULL,
    last_run_ended_at {{$time}} NULL,
    last_run_error_json TEXT NULL
);
