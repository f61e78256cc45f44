package reader

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// selectiveCap bounds the index entries one selectivity estimate reads; a
// match with at least this many entities is not selective.
const selectiveCap = 1000

// selectiveMatch returns a single-value match that filter requires (one of
// its top-level conjuncts) and that fewer than selectiveCap entities satisfy,
// the fewest of them; nil when there is none or filter is not a conjunction.
//
// SQLite's planner does not know how many entities one value matches, so it
// runs kind=component AND owner=x as the set of every component intersected
// with x's entities (docs/performance.md, "Selective filters"). Starting from x's few rows in the (key, value) index and probing the
// rest of the filter per entity costs x's entities only. PostgreSQL keeps
// value statistics and needs no help.
func (r *Reader) selectiveMatch(ctx context.Context, filter *query.Expr) (*query.Match, error) {
	if r.db.Dialect.IsPostgres() || filter == nil || filter.Op != query.OpAll || len(filter.Args) < 2 {
		return nil, nil
	}
	var best *query.Match
	fewest := selectiveCap
	for i := range filter.Args {
		m := singleValueMatch(&filter.Args[i])
		if m == nil {
			continue
		}
		var n int
		err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search WHERE key = ? AND value = ? LIMIT ?)`,
			m.Key, m.Values[0], selectiveCap).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("estimate filter selectivity: %w", err)
		}
		if n < fewest {
			best, fewest = m, n
		}
	}
	return best, nil
}

// writeDriven writes "FROM search d CROSS JOIN final_entities fe ... WHERE"
// conditions reading the entities of driver m first (CROSS JOIN keeps SQLite
// from reordering the loops) and probing filter and full text per entity.
func writeDriven(b *sqlBuilder, m *query.Match, filter *query.Expr, ft *query.FullText) {
	b.write(" FROM search d CROSS JOIN final_entities fe ON fe.entity_id = d.entity_id WHERE d.key = ")
	b.arg(m.Key)
	b.write(" AND d.value = ")
	b.arg(m.Values[0])
	b.write(" AND ")
	compileWhereMode(b, filter, ft, matchProbe)
}

// hasText reports whether ft filters anything.
func hasText(ft *query.FullText) bool { return ft != nil && strings.TrimSpace(ft.Term) != "" }

// writeWhere is compileWhereMode, except that on SQLite a filter beside a full-text term, in
// semi-join mode, is probed per search row the term matches, inside one semi-join: SQLite
// would otherwise build the set of every entity the filter matches (kind=component: most of
// the catalog) and intersect it with the term's, where the term's rows are usually far
// fewer.
func (r *Reader) writeWhere(b *sqlBuilder, filter *query.Expr, ft *query.FullText, mode matchMode) {
	if mode != matchSemiJoin || filter == nil || !hasText(ft) || !r.textProbes() {
		compileWhereMode(b, filter, ft, mode)
		return
	}
	b.write("fe.final_entity IS NOT NULL AND fe.entity_id IN (")
	writeTextMatches(b, *ft, filter)
	b.write(")")
}

// writeTextMatches writes a SELECT of the entity_id of every entity whose full-text fields
// match ft and (probed per match) filter, if any: from the text-document index when b.docs
// allows (aliased x, which also offers x.entity_ref), from the search rows otherwise.
func writeTextMatches(b *sqlBuilder, ft query.FullText, filter *query.Expr) {
	alias := "t"
	if b.docs && ft.Documented() {
		alias = "x"
		b.write("SELECT x.entity_id FROM final_entities x INDEXED BY " + sqliteTextIndex + " WHERE x.final_entity IS NOT NULL AND ")
		writeDocumentMatch(b, "x", ft)
	} else {
		b.write("SELECT t.entity_id FROM search t WHERE ")
		writeTextMatch(b, ft)
	}
	if filter != nil {
		b.write(" AND ")
		compileExprMode(b, *filter, alias+".entity_id", matchProbe)
	}
}

// textDocuments reports whether full-text searches may match text documents
// (final_entities.search_text): once every visible entity has one, which
// stays true (the engine writes one with every stitch).
func (r *Reader) textDocuments(ctx context.Context) bool {
	if r.noTextDocs {
		return false
	}
	if r.docsReady.Load() {
		return true
	}
	var missing bool
	err := r.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM final_entities
		WHERE final_entity IS NOT NULL AND search_text IS NULL)`).Scan(&missing)
	if err != nil || missing {
		return false
	}
	r.docsReady.Store(true)
	return true
}

// textProbes reports whether writeWhere probes filters per full-text match.
func (r *Reader) textProbes() bool { return !r.db.Dialect.IsPostgres() && !r.noTextProbes }

// fewTextCap is the most matches fewTextMatches hands back.
const fewTextCap = 1000

// textMatch is an entity a text search matched.
type textMatch struct{ ref, id string }

// fewTextMatches returns, in entity_ref order, every entity a text-only search (no filter) over
// the default fields matches, with ok true, when they are fewer than fewTextCap and text
// documents are in use (SQLite): the first page and the total then come from one scan of the
// document index instead of a count and a page that scan it twice.
func (r *Reader) fewTextMatches(ctx context.Context, filter *query.Expr, ft *query.FullText) ([]textMatch, bool, error) {
	if filter != nil || !hasText(ft) || !ft.Documented() || r.db.Dialect.IsPostgres() || !r.textDocuments(ctx) {
		return nil, false, nil
	}
	b := sqlBuilder{docs: true}
	b.write("SELECT x.entity_ref, x.entity_id FROM final_entities x INDEXED BY " + sqliteTextIndex + " WHERE x.final_entity IS NOT NULL AND ")
	writeDocumentMatch(&b, "x", *ft)
	b.write(" LIMIT ")
	b.arg(fewTextCap)
	rows, err := r.db.QueryContext(ctx, b.String(), b.args...)
	if err != nil {
		return nil, false, fmt.Errorf("match text: %w", err)
	}
	defer rows.Close()
	var out []textMatch
	for rows.Next() {
		var m textMatch
		if err := rows.Scan(&m.ref, &m.id); err != nil {
			return nil, false, fmt.Errorf("match text: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("match text: %w", err)
	}
	if len(out) >= fewTextCap {
		return nil, false, nil
	}
	slices.SortFunc(out, func(a, b textMatch) int { return strings.Compare(a.ref, b.ref) }) // SQLite's byte order
	return out, true, nil
}

// rowsOf reads the entities of matches, in their order, as page rows.
func (r *Reader) rowsOf(ctx context.Context, matches []textMatch) ([]pageRow, error) {
	if len(matches) == 0 {
		return nil, nil
	}
	var b sqlBuilder
	b.write("SELECT entity_id, final_entity FROM final_entities WHERE final_entity IS NOT NULL AND entity_id IN (")
	argList(&b, matches, func(m textMatch) any { return m.id })
	b.write(")")
	rows, err := r.db.QueryContext(ctx, r.q(b.String()), b.args...)
	if err != nil {
		return nil, fmt.Errorf("query entities: %w", err)
	}
	defer rows.Close()
	entities := make(map[string]string, len(matches))
	for rows.Next() {
		var id, entity string
		if err := rows.Scan(&id, &entity); err != nil {
			return nil, fmt.Errorf("scan entity: %w", err)
		}
		entities[id] = entity
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query entities: %w", err)
	}
	out := make([]pageRow, 0, len(matches))
	for _, m := range matches {
		if e, ok := entities[m.id]; ok {
			out = append(out, pageRow{pos: position{Ref: m.ref}, entity: e})
		}
	}
	return out, nil
}
