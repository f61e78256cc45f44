// Package reader answers every read of the catalog API with SQL over the
// catalog's tables: final_entities (the stitched entities), search (their
// flattened rows, written by query.Flatten), refresh_state_references
// (ancestry) and locations. Filtering, ordering, counting and paging happen
// in the database; Go only projects fields of the rows it streams.
//
// Paging is keyset-based: a page is the rows strictly after (or before) the
// sort values and entity_ref of a boundary row, so a page costs the same
// wherever it is. Cursors are opaque base64 JSON documents.
//
// One SQL text serves SQLite and PostgreSQL (placeholders via
// database.Dialect.Rebind); both use byte-wise text ordering for the
// catalog's lower-case keys and values.
package reader
