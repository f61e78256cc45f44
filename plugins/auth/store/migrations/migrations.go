// Package migrations holds the auth plugin's SQL schema (common/, sqlite/ and postgres/, numbered,
// forward-only), applied by the framework when the plugin's database is opened.
package migrations

import "embed"

// FS holds common/NNNN_*.sql (both dialects) and sqlite/ or postgres/NNNN_*.sql (one).
//
//go:embed */*.sql
var FS embed.FS
