// Package ui is the catalog-graph plugin's part of the web UI: the Relations card on the
// entity overview (entity-card:catalog-graph/relations) and the Catalog Graph page
// (page:catalog-graph at /catalog-graph, with an optional nav item). Both draw the graph of
// package graph, laid out by package layout, as inline SVG rendered on the server: nodes
// link to entity pages, the root is highlighted, edges carry their relation names, and the
// same relations are listed as text under the drawing. Controls are plain GET forms with
// Backstage's URL parameters, so the page works without JavaScript.
package ui
