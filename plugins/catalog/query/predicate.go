package query

import (
	"encoding/json"

	"github.com/portico-dev/portico/framework/predicate"
)

// ParsePredicate parses a filter predicate of POST /entities/by-query and
// POST /entity-facets (catalog-api.md §3.3) with predicate.Parse, within the
// catalog's size limits. An absent or null predicate yields nil (no filtering).
// Errors are InputErrors with Backstage's message.
func ParsePredicate(raw json.RawMessage) (*Expr, error) {
	e, err := predicate.Parse(raw)
	if err != nil {
		return nil, &InputError{Message: err.Error()}
	}
	return e, checkSize(e)
}
