// Package query is the catalog's read-side language, free of I/O: Flatten
// turns a final entity into the rows of the search table, and the parsers
// turn Backstage's filter strings, predicate bodies, field lists and order
// parameters into one expression model (Expr) that the reader compiles to SQL.
//
// Indexing and querying agree because both go through this package: the
// stitcher writes exactly the rows Flatten returns, and filter keys and values
// are lower-cased the same way before they are compared with those rows.
package query
