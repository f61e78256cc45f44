package reader

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

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
	// Search rows exist only for stitched (visible) entities, and Flatten writes one row per
	// (key, value) of an entity, so for one key an entity has each original value at most
	// once: counting rows counts entities. The count is grouped by (key, value), the order of
	// the (key, value, entity_id, original_value) index, so it streams from the index without
	// a sort. value is lower(original_value) (NULL past 200 characters), so a group holds one
	// original value except where entities spell a value in different cases ("Go", "go"):
	// such groups, rare, are split by a second query per group.
	var b sqlBuilder
	b.write("SELECT s.key, s.value, MIN(s.original_value), MAX(s.original_value), COUNT(*) FROM search s WHERE s.key IN (")
	for i, k := range keys {
		if i > 0 {
			b.write(", ")
		}
		b.arg(k)
	}
	b.write(") AND s.original_value IS NOT NULL")
	if filter != nil {
		b.write(" AND ")
		compileExprMode(&b, *filter, "s.entity_id", matchSemiJoin)
	}
	b.write(" GROUP BY s.key, s.value")
	type mixed struct {
		key   string
		value sql.NullString
	}
	var split []mixed
	counts := map[string][]FacetCount{}
	rows, err := r.db.QueryContext(ctx, r.q(b.String()), b.args...)
	if err != nil {
		return nil, fmt.Errorf("count facets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, lo, hi string
		var value sql.NullString
		var n int
		if err := rows.Scan(&key, &value, &lo, &hi, &n); err != nil {
			return nil, fmt.Errorf("scan facet: %w", err)
		}
		if lo != hi {
			split = append(split, mixed{key, value})
			continue
		}
		counts[key] = append(counts[key], FacetCount{Value: lo, Count: n})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count facets: %w", err)
	}
	rows.Close()
	for _, m := range split {
		fcs, err := r.facetSpellings(ctx, m.key, m.value, filter)
		if err != nil {
			return nil, err
		}
		counts[m.key] = append(counts[m.key], fcs...)
	}
	for key, fcs := range counts {
		slices.SortFunc(fcs, func(a, b FacetCount) int { return strings.Compare(a.Value, b.Value) })
		for _, f := range byKey[key] {
			out[f] = append(out[f], fcs...)
		}
	}
	return out, nil
}

// facetSpellings counts the entities per original spelling of one (key, value) group.
func (r *Reader) facetSpellings(ctx context.Context, key string, value sql.NullString, filter *query.Expr) ([]FacetCount, error) {
	var b sqlBuilder
	b.write("SELECT s.original_value, COUNT(*) FROM search s WHERE s.key = ")
	b.arg(key)
	if value.Valid {
		b.write(" AND s.value = ")
		b.arg(value.String)
	} else {
		b.write(" AND s.value IS NULL")
	}
	b.write(" AND s.original_value IS NOT NULL")
	if filter != nil {
		b.write(" AND ")
		compileExprMode(&b, *filter, "s.entity_id", matchSemiJoin)
	}
	b.write(" GROUP BY s.original_value")
	rows, err := r.db.QueryContext(ctx, r.q(b.String()), b.args...)
	if err != nil {
		return nil, fmt.Errorf("count facet spellings: %w", err)
	}
	defer rows.Close()
	var out []FacetCount
	for rows.Next() {
		var fc FacetCount
		if err := rows.Scan(&fc.Value, &fc.Count); err != nil {
			return nil, fmt.Errorf("scan facet: %w", err)
		}
		out = append(out, fc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count facet spellings: %w", err)
	}
	return out, nil
}
