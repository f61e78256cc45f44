-- Signing keys of the plugin's service tokens.
CREATE TABLE IF NOT EXISTS portico_plugin_keys (
    plugin_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (plugin_id, kid)
);
