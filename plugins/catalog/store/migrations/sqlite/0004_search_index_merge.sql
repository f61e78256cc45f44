-- One key-ordered index serves filters, order walks and facets: (key, value, entity_id) as
-- before, with original_value last so facet counts per spelling also come from the index.
-- Supersedes search_key_value_entity and search_key_original_value: each search row written
-- maintains one key-ordered index instead of two.
CREATE INDEX search_key_value_entity_original ON search (key, value, entity_id, original_value);
DROP INDEX search_key_value_entity;
DROP INDEX search_key_original_value;
