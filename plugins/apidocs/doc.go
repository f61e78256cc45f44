// Package apidocs is the API docs plugin (ID "api-docs"), Backstage's api-docs: an explorer of
// the catalog's API entities at /api-docs and a Definition tab on API entity pages that
// renders OpenAPI, AsyncAPI, GraphQL and gRPC definitions. It reads the catalog through its
// HTTP API and contributes UI through the catalog's public entityui package only.
package apidocs
