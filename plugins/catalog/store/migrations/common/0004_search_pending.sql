-- Search rows of entities stitched for the first time, waiting to be folded into the search
-- table in one sorted pass (plugins/catalog/engine/pending.go). Inserting a big first
-- ingestion's rows into search's (key, value) indexes batch by batch rewrites most of those
-- indexes' pages per batch; staged rows are appended here instead, indexed by entity only so
-- a re-stitch or delete finds them.
CREATE TABLE search_pending (
  entity_id      TEXT NOT NULL,
  key            TEXT NOT NULL,
  value          TEXT,
  original_value TEXT
);
CREATE INDEX search_pending_entity_id ON search_pending (entity_id);
