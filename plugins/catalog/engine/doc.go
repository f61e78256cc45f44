// Package engine is the catalog's ingestion engine: entity providers seed raw entities into
// refresh_state, a processing loop runs them through a processor pipeline (reading locations,
// resolving placeholders, annotating, validating, deriving relations), and a stitcher turns the
// results into final_entities and the search index the API reads.
//
// It follows Backstage's catalog backend (plugins/catalog-backend): the same tables, the same
// location-key conflict rule, the same orphan handling and the same error messages, with work
// claimed in the database (skip-locked row claims on PostgreSQL, a single writer on SQLite)
// under a lease and an epoch that fences late writes, so several engines on one PostgreSQL
// share the work. Processing results are compared by hash so unchanged input costs almost
// nothing, and stitching is deferred and coalesced so hot entities are stitched once per round.
//
// The engine holds no SQL: it decides what to store, and plugins/catalog/store writes it,
// reached through the roles declared in storage.go (and processingStore for the processing
// loop, which tests run over memory).
//
// Typical use:
//
//	eng, err := engine.New(engine.Options{DB: db, Reader: reader, Locations: locs})
//	go eng.Run(ctx)                 // or, in tests: eng.ProcessUntilIdle(ctx)
package engine
