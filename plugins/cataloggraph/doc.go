// Package cataloggraph is the catalog graph plugin (ID "catalog-graph"), Backstage's
// catalog-graph: a Relations card on entity pages and a Catalog Graph page at /catalog-graph
// for exploring relations beyond one hop, both drawn on the server as SVG. It has no API or
// tables of its own: it reads the catalog through its public client (acting for the signed-in
// user) and adds UI through the catalog's entityui package only.
package cataloggraph
