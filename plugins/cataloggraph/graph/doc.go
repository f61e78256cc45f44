// Package graph builds the relations graph the catalog-graph plugin draws: a breadth-first
// walk of the catalog's relations from one or more root entities, level by level (one batched
// fetch per level), filtered by relation type and target kind, bounded in depth, in nodes and
// in neighbours per relation, then turned into edges the way Backstage's catalog graph does it
// (inverse pairs merged into one edge, edges pointing back towards the root dropped when the
// graph is unidirectional). It does no I/O of its own: a Fetcher reads the entities.
package graph
