// Package api serves the catalog's Backstage-compatible REST API under
// /api/catalog: entity listing, queries, facets, ancestry, locations,
// refresh, validation and location analysis, with Backstage's request
// shapes, status codes and error messages. Handlers are thin: they decode,
// call the catalog service (through the small Reader and Writer interfaces), and encode.
package api
