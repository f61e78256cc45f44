// Package apidef turns API definitions into view models the definition tab renders:
// OpenAPI 2 (Swagger) and 3.x documents into servers and operations grouped by tag with their
// parameters, bodies and schemas; AsyncAPI 2 and 3 documents into channels, operations and
// messages; GraphQL SDL, protobuf and everything else into highlighted source. It does no I/O.
package apidef
