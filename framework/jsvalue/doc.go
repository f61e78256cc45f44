// Package jsvalue holds JavaScript's value rules that Backstage's behaviour depends on, written
// once for every part of Portico that has to reproduce them: Number#toString and String(value)
// (the catalog's search table, filter and permission matching, UI extension filters, the
// templating engine, validation messages), the en-US case mappings of toLocaleLowerCase and
// toLocaleUpperCase (search keys and values, case-insensitive predicate equality), the
// UTF-16 length of a string (the search table's 200-character limits), truthiness, and
// objects in JavaScript's key order (Object, DecodeJSON as JSON.parse, Stringify as
// JSON.stringify) for the templates and predicates that show it.
//
// The package is pure: no I/O and no state, so every layer may import it.
package jsvalue
