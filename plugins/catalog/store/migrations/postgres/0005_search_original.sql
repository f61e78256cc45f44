-- search.original_value is kept only where it differs from the lower-cased value (most values
-- are written in lower case already); readers take COALESCE(original_value, value). Facets
-- read the original values from the filters' (key, value, entity_id) index, which carries
-- original_value as an included column, instead of an index of their own: one index fewer to
-- write per search row. (SQLite, which has no included columns, orders its index by
-- (key, value, original_value, entity_id); here the key order stays (key, value, entity_id),
-- which the per-entity probes of generic plans need.)
UPDATE search SET original_value = NULL WHERE original_value = value;
UPDATE search_pending SET original_value = NULL WHERE original_value = value;
DROP INDEX search_key_original_value;
DROP INDEX search_key_value_entity;
CREATE INDEX search_key_value_entity_original ON search (key, value, entity_id) INCLUDE (original_value);
