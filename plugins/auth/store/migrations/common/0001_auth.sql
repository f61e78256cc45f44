-- Public halves of the keys that sign user identity tokens (Backstage's signing_keys, plus
-- expires_at: when the last token a key may have signed expires). Private keys never leave the
-- replica that made them.
{{- $time := "DATETIME"}}{{if .Postgres}}{{$time = "TIMESTAMPTZ"}}{{end}}
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    key TEXT NOT NULL,
    created_at {{$time}} NOT NULL,
    expires_at {{$time}} NOT NULL
);

-- Secrets shared by every replica (the key that signs the short-lived sign-in state cookie).
CREATE TABLE auth_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at {{$time}} NOT NULL
);
