package query

import (
	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/framework/predicate"
)

// The catalog's expression model is the predicate language's parsed form (package
// framework/predicate, which also evaluates it in memory); these names let the catalog's
// parsers, reader and permissions speak of it in their own terms.
type (
	// Expr is a boolean expression over an entity's search rows; both the filter=
	// mini-language and the predicate bodies of POST /entities/by-query parse into it.
	Expr = predicate.Expr
	// Match tests the search rows of one key.
	Match = predicate.Match
	// Op is the kind of an Expr node.
	Op = predicate.Op
)

// Expression operators.
const (
	OpAll   = predicate.OpAll
	OpAny   = predicate.OpAny
	OpNot   = predicate.OpNot
	OpMatch = predicate.OpMatch
	OpTrue  = predicate.OpTrue
)

// All returns the conjunction of args.
func All(args ...Expr) Expr { return predicate.All(args...) }

// Any returns the disjunction of args.
func Any(args ...Expr) Expr { return predicate.Any(args...) }

// Not returns the negation of e.
func Not(e Expr) Expr { return predicate.Not(e) }

// True returns the expression that matches every entity.
func True() Expr { return predicate.True() }

// Exists matches entities having a search row for key.
func Exists(key string) Expr { return predicate.Exists(key) }

// In matches entities with a row for key whose value is one of values.
func In(key string, values ...string) Expr { return predicate.In(key, values...) }

// HasPrefix matches entities with a row for key whose value starts with prefix.
func HasPrefix(key, prefix string) Expr { return predicate.HasPrefix(key, prefix) }

// And combines optional expressions with AND; nil operands are ignored and
// the result is nil when all are nil.
func And(exprs ...*Expr) *Expr { return predicate.And(exprs...) }

// Lower lower-cases s the way the search table does (JavaScript's toLocaleLowerCase('en-US')).
func Lower(s string) string { return jsvalue.Lower(s) }

// Matches reports whether entity passes e in memory, exactly as the SQL compiled from e finds
// it in the search table: it matches e over the entity's Flatten rows.
func Matches(e Expr, entity map[string]any) bool {
	flat := Flatten(entity)
	rows := make([]predicate.Row, len(flat))
	for i, r := range flat {
		rows[i] = predicate.Row{Key: r.Key, Value: r.Value}
	}
	return predicate.MatchRows(e, rows)
}
