-- search.original_value is kept only where it differs from the lower-cased value (most values
-- are written in lower case already); readers take COALESCE(original_value, value). Facets
-- group the filters' (key, value) index by original value, which sits before entity_id there,
-- instead of reading an index of their own: one index fewer to write per search row.
UPDATE search SET original_value = NULL WHERE original_value = value;
UPDATE search_pending SET original_value = NULL WHERE original_value = value;
DROP INDEX search_key_original_value;
DROP INDEX search_key_value_entity;
CREATE INDEX search_key_value_original ON search (key, value, original_value, entity_id);
