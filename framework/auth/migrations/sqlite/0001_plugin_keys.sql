-- Signing keys of the plugin's service tokens. plugin_id: plugins sharing one SQLite file
-- share this table. IF NOT EXISTS for the same reason.
CREATE TABLE IF NOT EXISTS portico_plugin_keys (
    plugin_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    PRIMARY KEY (plugin_id, kid)
);
