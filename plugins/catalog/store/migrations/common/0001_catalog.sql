-- The catalog's tables. Times are timestamptz on PostgreSQL, UTC text in database.NullTime's
-- layout on SQLite.
{{- $time := "TEXT"}}{{$int := "INTEGER"}}{{$serial := "INTEGER PRIMARY KEY AUTOINCREMENT"}}
{{- if .Postgres}}{{$time = "TIMESTAMPTZ"}}{{$int = "BIGINT"}}{{$serial = "BIGSERIAL PRIMARY KEY"}}{{end}}
CREATE TABLE refresh_state (
  entity_id          TEXT PRIMARY KEY,          -- metadata.uid
  entity_ref         TEXT NOT NULL UNIQUE,      -- canonical lower-case kind:namespace/name
  unprocessed_entity TEXT NOT NULL,             -- JSON as received from the provider/parent
  unprocessed_hash   TEXT NOT NULL,
  processed_entity   TEXT,                      -- JSON after processing (no relations/status)
  result_hash        TEXT,                      -- hash of everything the last processing produced
  cache              TEXT,                      -- processors' per-entity cache (JSON)
  errors             TEXT,                      -- JSON array of serialized errors
  location_key       TEXT,                      -- conflict-resolution key (type:target)
  next_update_at     {{$time}} NOT NULL,
  last_discovery_at  {{$time}} NOT NULL,
  claimed_by         TEXT,                      -- worker holding the processing lease
  claim_expires_at   {{$time}},
  epoch              {{$int}} NOT NULL DEFAULT 0 -- bumped on every claim; fences late writes
);
CREATE INDEX refresh_state_next_update_at ON refresh_state (next_update_at);

-- Who emitted whom: a provider (source_key) or a parent entity (source_entity_ref).
CREATE TABLE refresh_state_references (
  id                {{$serial}},
  source_key        TEXT,
  source_entity_ref TEXT,
  target_entity_ref TEXT NOT NULL
);
CREATE INDEX refresh_state_references_source_key ON refresh_state_references (source_key);
CREATE INDEX refresh_state_references_source_entity_ref ON refresh_state_references (source_entity_ref);
CREATE INDEX refresh_state_references_target_entity_ref ON refresh_state_references (target_entity_ref);

-- Every relation edge, tagged with the entity whose processing produced it.
CREATE TABLE relations (
  originating_entity_id TEXT NOT NULL,
  source_entity_ref     TEXT NOT NULL,
  type                  TEXT NOT NULL,
  target_entity_ref     TEXT NOT NULL
);
CREATE INDEX relations_originating_entity_id ON relations (originating_entity_id);
CREATE INDEX relations_source_entity_ref ON relations (source_entity_ref);
CREATE INDEX relations_target_entity_ref ON relations (target_entity_ref);

-- What the API serves: the stitched entity (processed entity + relations + status).
CREATE TABLE final_entities (
  entity_id       TEXT PRIMARY KEY,
  entity_ref      TEXT NOT NULL UNIQUE,
  final_entity    TEXT,                          -- NULL until first stitched
  hash            TEXT,
  stitch_ticket   TEXT,
  next_stitch_at  {{$time}},                    -- non-NULL: queued for (re)stitching
  last_updated_at {{$time}}
);
CREATE INDEX final_entities_next_stitch_at ON final_entities (next_stitch_at);

-- Flattened, lower-cased index of final entities used by filters, ordering and facets.
CREATE TABLE search (
  entity_id      TEXT NOT NULL,
  key            TEXT NOT NULL,
  value          TEXT,        -- lower-cased; NULL when longer than 200 characters or null
  original_value TEXT         -- as in the entity (facets answer with it)
);
CREATE INDEX search_key_value ON search (key, value);
CREATE INDEX search_entity_id ON search (entity_id);

-- Locations registered through the API.
CREATE TABLE locations (
  id     TEXT PRIMARY KEY,
  type   TEXT NOT NULL,
  target TEXT NOT NULL,
  UNIQUE (type, target)
);

-- Keys processors emitted; refresh({keys}) reschedules the entities that registered them.
CREATE TABLE refresh_keys (
  entity_id TEXT NOT NULL,
  key       TEXT NOT NULL
);
CREATE INDEX refresh_keys_entity_id ON refresh_keys (entity_id);
CREATE INDEX refresh_keys_key ON refresh_keys (key);
