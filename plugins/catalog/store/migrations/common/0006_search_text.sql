-- Each visible entity's full-text document (query.TextDocument): the lower-cased values of the
-- default full-text fields. A default full-text search scans this index, one short entry per
-- entity, instead of the search rows of three keys (and the set of entities they match).
-- Rows stitched before this migration have no document until the engine fills it in at
-- start-up; readers use the documents only once every visible entity has one.
ALTER TABLE final_entities ADD COLUMN search_text TEXT;
CREATE INDEX final_entities_search_text ON final_entities (search_text, entity_ref, entity_id) WHERE final_entity IS NOT NULL;
