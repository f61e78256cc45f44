-- Signing keys of the plugin's service tokens. plugin_id: plugins sharing one database
-- share this table. IF NOT EXISTS for the same reason.
{{- $time := "DATETIME"}}{{if .Postgres}}{{$time = "TIMESTAMPTZ"}}{{end}}
CREATE TABLE IF NOT EXISTS portico_plugin_keys (
    plugin_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at {{$time}} NOT NULL,
    expires_at {{$time}} NOT NULL,
    PRIMARY KEY (plugin_id, kid)
);
