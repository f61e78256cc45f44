// Package predicate is Backstage's filter predicate language, written once for every part of
// Portico that reads it: the catalog's POST /entities/by-query and /entity-facets bodies and
// filter= parameters, permission conditions, and the filters of UI extensions.
//
//	{kind: component, spec.type: service}      every key must match (AND)
//	{$all: [p…]} {$any: [p…]} {$not: p}         logical operators
//	{spec.type: {$in: [service, website]}}       one of the listed values
//	{spec.owner: {$exists: true}}                the path is present (or absent with false)
//	{spec.type: {$hasPrefix: web}}               the value is a string with that prefix
//	{metadata.tags: {$contains: java}}           the value is a list with a matching element
//
// The language is evaluated two ways, as in Backstage:
//
//   - over flattened rows (the catalog's search table: lower-cased dotted keys and lower-cased
//     string values). [Parse] reads a predicate body into an [Expr], which the catalog compiles
//     to SQL and [MatchRows] evaluates in memory with the same result;
//   - over a JSON document (UI extension filters, Backstage's evaluateFilterPredicate).
//     [CompileFunc] compiles a predicate object into a function of the document.
//
// Values follow JavaScript's rules from package jsvalue: numbers compare as their
// Number#toString, strings case-insensitively (toLocaleLowerCase on rows,
// toLocaleUpperCase on documents, as Backstage does). The package is pure.
package predicate
