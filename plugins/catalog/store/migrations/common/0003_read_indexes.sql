-- Indexes of the read side (plugins/catalog/reader), named so queries never depend on
-- generated names.
-- Filters, counts and order walks: (key, value) ranges that also hand out entity_id without
-- touching the table. Supersedes search_key_value.
CREATE INDEX search_key_value_entity ON search (key, value, entity_id);
-- Per-entity probes ("does this entity have key=value", "a smaller value of the sort key")
-- and deletes by entity_id. Supersedes search_entity_id.
CREATE INDEX search_entity_key_value ON search (entity_id, key, value);
-- Facets: counts per original-case value straight from the index.
CREATE INDEX search_key_original_value ON search (key, original_value, entity_id);
-- The visible entities in entity_ref order (the default ordering), with their ids.
CREATE INDEX final_entities_visible_ref ON final_entities (entity_ref, entity_id) WHERE final_entity IS NOT NULL;
DROP INDEX search_key_value;
DROP INDEX search_entity_id;
