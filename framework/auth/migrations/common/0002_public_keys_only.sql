-- Private keys are no longer stored: each process keeps its signing key in memory and publishes
-- only the public half (issue 12: whoever could read the database file could sign service
-- tokens). Existing rows keep their public key, so tokens they signed verify until expires_at;
-- their private halves are dropped with the old table. Idempotent, because plugins sharing one
-- database file each run it: the first one moves the rows, the others find nothing to move.
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
CREATE TABLE IF NOT EXISTS portico_plugin_public_keys (
    plugin_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at {{$time}} NOT NULL,
    expires_at {{$time}} NOT NULL,
    PRIMARY KEY (plugin_id, kid)
);
INSERT INTO portico_plugin_public_keys (plugin_id, kid, public_jwk, created_at, expires_at)
    SELECT plugin_id, kid, public_jwk, created_at, expires_at FROM portico_plugin_keys WHERE true
    ON CONFLICT (plugin_id, kid) DO NOTHING;
DROP TABLE portico_plugin_keys;
