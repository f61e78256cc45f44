// Package ui is the api-docs plugin's part of the web UI: the APIs explorer page
// (page:api-docs at /api-docs, a filterable table of the catalog's API entities read through
// the catalog's HTTP API) and the entity page's Definition tab
// (entity-content:api-docs/definition on kind:api), which renders spec.definition by
// spec.type with package apidef. It uses the catalog only through its HTTP API and its public
// entityui package.
package ui
