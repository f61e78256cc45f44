// Package migrations holds the auth plugin's SQL schema (sqlite/ and postgres/, numbered,
// forward-only), applied by the framework when the plugin's database is opened.
package migrations

import "embed"

// FS holds sqlite/NNNN_*.sql and postgres/NNNN_*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
