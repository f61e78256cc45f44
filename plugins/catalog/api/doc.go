// Package api serves the catalog's Backstage-compatible REST API under
// /api/catalog: entity listing, queries, facets, ancestry, locations,
// refresh, validation and location analysis, with Backstage's request
// shapes, status codes and error messages. Handlers are thin: they decode,
// call a Reader (reads, SQL-backed) or a Writer (the engine), and encode.
package api
