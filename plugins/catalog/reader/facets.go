package reader

import (
	"context"
	"fmt"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// FacetCount is one value of a facet and how many entities have it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets counts, for each facet (a search key, matched case-insensitively),
// the distinct entities per original-case value among the entities matching
// filter. The result has one entry per requested facet string, as written.
func (r *Reader) Facets(ctx context.Context, facets []string, filter *query.Expr) (map[string][]FacetCount, error) {
	out := make(map[string][]FacetCount, len(facets))
	byKey := map[string][]string{}
	var keys []string
	for _, f := range facets {
		out[f] = []FacetCount{}
		k := query.Lower(f)
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], f)
	}
	if len(keys) == 0 {
		return out, nil
	}
	// Search rows exist only for stitched (visible) entities, and Flatten
	// writes one row per (key, value) of an entity, so for one key an entity
	// has each original value at most once: counting rows counts entities,
	// in the order of the (key, value, original_value, entity_id) index, so
	// groups stream without a sort. The original value is stored only where
	// it differs from the lower-cased one (query.Row.StoredOriginal), so each
	// (value, original_value) group is one original value.
	var b sqlBuilder
	b.write("SELECT s.key, COALESCE(s.original_value, s.value), COUNT(*) FROM search s WHERE s.key IN (")
	argList(&b, keys, nil)
	b.write(") AND s.value IS NOT NULL")
	if filter != nil {
		b.write(" AND ")
		compileExprMode(&b, *filter, "s.entity_id", matchSemiJoin)
	}
	b.write(" GROUP BY s.key, s.value, s.original_value")
	rows, err := r.db.QueryContext(ctx, r.q(b.String()), b.args...)
	if err != nil {
		return nil, fmt.Errorf("count facets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var fc FacetCount
		if err := rows.Scan(&key, &fc.Value, &fc.Count); err != nil {
			return nil, fmt.Errorf("scan facet: %w", err)
		}
		for _, f := range byKey[key] {
			out[f] = append(out[f], fc)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count facets: %w", err)
	}
	return out, nil
}
