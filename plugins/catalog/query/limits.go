package query

// Bounds on a filter's size. A filter is compiled into one SQL statement, and SQLite refuses
// an expression tree deeper than 1000 ("Expression tree is too large"), which a few hundred
// alternatives reach: larger filters are refused with a 400 naming the limit, instead of a 500.
const (
	// MaxFilterSets is the most filter= parameters (alternative sets) one request may carry.
	MaxFilterSets = 100
	// MaxFilterConditions is the most conditions and logical operators ($all, $any, $not) in
	// one filter or predicate.
	MaxFilterConditions = 500
	// MaxFilterValues is the most values one filter or predicate may compare with, all
	// conditions together ($in lists included).
	MaxFilterValues = 1000

	// MaxPolicyConditions and MaxPolicyValues bound a permission policy's read condition once
	// its same-key alternatives are merged into one IN list (see [predicate.Expr.CompiledSize]).
	// The compiler nests long lists, so SQLite's expression depth is no bound; the cost is: each
	// remaining condition is a subquery of every read, and a condition within both limits, with
	// a request filter within its own, stays far below SQLite's 32,766 bind variables.
	MaxPolicyConditions = 2500
	MaxPolicyValues     = 20000
)

// checkSize refuses an expression over MaxFilterConditions or MaxFilterValues.
func checkSize(e *Expr) error {
	if e == nil {
		return nil
	}
	nodes, values := e.Size()
	if nodes > MaxFilterConditions {
		return inputErrorf("Invalid filter, it has %d conditions and operators; at most %d are allowed", nodes, MaxFilterConditions)
	}
	if values > MaxFilterValues {
		return inputErrorf("Invalid filter, it compares with %d values; at most %d are allowed", values, MaxFilterValues)
	}
	return nil
}
