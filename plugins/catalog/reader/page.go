package reader

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// position is a row's place in an ordering: its sort values (nil for a
// missing value, which sorts last) and its entity_ref, the tie-breaker.
type position struct {
	Values []*string `json:"v,omitempty"`
	Ref    string    `json:"r"`
}

// pageRow is one streamed row of a page.
type pageRow struct {
	pos    position
	entity string
}

// pageSpec describes one page: which entities, in which order, from where.
type pageSpec struct {
	filter   *query.Expr
	fullText *query.FullText
	order    []query.OrderField
	after    *position // rows strictly after (before, when backward) this one
	backward bool      // walk the ordering in reverse
	offset   int
	limit    int // <= 0: no limit
	// walkRefIndex hints that the filter matches a large share of the
	// catalog, so an entity_ref index walk finds a page quickly.
	walkRefIndex bool
	// driver, when set, is a selective match the filter requires: the page
	// starts from its entities (selectiveMatch).
	driver *query.Match
}

// sqliteRefIndex is the partial index of the visible entities in entity_ref
// order (0003_read_indexes.sql); it holds entity_id too, so a walk probes
// the filter without reading the entities it skips.
const sqliteRefIndex = "final_entities_visible_ref"

// sqliteTextIndex is the partial index of the visible entities' text documents with their
// entity_ref and entity_id (0006_search_text.sql).
const sqliteTextIndex = "final_entities_search_text"

// page runs one keyset page and calls fn for each row in presentation order
// of the walk (reverse order when backward).
func (r *Reader) page(ctx context.Context, p pageSpec, fn func(pageRow) error) error {
	if r.sortedWalk(p) {
		return r.walkSorted(ctx, p, fn)
	}
	return r.pageSQL(ctx, p, fn)
}

// pageSQL reads any page in one statement; orderings compute each entity's
// sort values with a subquery per row, so it suits pages whose matches are
// few, or that walkSorted does not serve (several order fields, offsets).
func (r *Reader) pageSQL(ctx context.Context, p pageSpec, fn func(pageRow) error) error {
	var b sqlBuilder
	b.docs = hasText(p.fullText) && r.textDocuments(ctx)
	sqlite := !r.db.Dialect.IsPostgres()
	if len(p.order) == 0 && !p.walkRefIndex && p.driver == nil && p.offset == 0 && p.limit > 0 &&
		b.docs && p.fullText.Documented() && sqlite {
		writeDocumentPage(&b, p)
		return r.scanPage(ctx, &b, 0, fn)
	}
	if len(p.order) == 0 && p.driver != nil && !p.walkRefIndex {
		b.write("SELECT fe.entity_ref, fe.final_entity")
		writeDriven(&b, p.driver, p.filter, p.fullText)
		writeAfterRef(&b, "fe.entity_ref", p)
		if p.backward {
			b.write(" ORDER BY fe.entity_ref DESC")
		} else {
			b.write(" ORDER BY fe.entity_ref ASC")
		}
	} else if len(p.order) == 0 {
		byteOrdered, err := r.refsByteOrdered(ctx)
		if err != nil {
			return err
		}
		// Many entities match: walking the entity_ref index in order and
		// probing the filter per row stops after about limit rows, where the
		// planner's choice would look up and sort every match.
		mode := matchSemiJoin
		switch {
		case p.walkRefIndex && sqlite:
			mode = matchProbe
		case p.walkRefIndex:
			mode = matchRowProbe
		}
		b.write("SELECT fe.entity_ref, fe.final_entity FROM final_entities fe")
		if mode == matchProbe {
			b.write(" INDEXED BY " + sqliteRefIndex)
		}
		b.write(" WHERE ")
		r.writeWhere(&b, p.filter, p.fullText, mode)
		switch {
		case byteOrdered:
			writeKindRange(&b, p.filter, "fe.entity_ref")
		case mode == matchRowProbe:
			// Not a range of the index, but it skips the probes of the
			// entities of other kinds.
			writeKindRange(&b, p.filter, `fe.entity_ref COLLATE "C"`)
		}
		writeAfterRef(&b, "fe.entity_ref", p)
		if p.backward {
			b.write(" ORDER BY fe.entity_ref DESC")
		} else {
			b.write(" ORDER BY fe.entity_ref ASC")
		}
	} else {
		b.write("SELECT t.entity_ref, t.final_entity")
		for i := range p.order {
			b.write(", t.s", strconv.Itoa(i))
		}
		b.write(" FROM (SELECT fe.entity_ref, fe.final_entity")
		for i, o := range p.order {
			// The sort value of an order field is the smallest search value of its key.
			b.write(", (SELECT MIN(s.value) FROM search s WHERE s.entity_id = fe.entity_id AND s.key = ")
			b.arg(o.Field)
			b.write(") AS s", strconv.Itoa(i))
		}
		if p.driver != nil && !p.walkRefIndex {
			writeDriven(&b, p.driver, p.filter, p.fullText)
		} else {
			b.write(" FROM final_entities fe WHERE ")
			r.writeWhere(&b, p.filter, p.fullText, matchSemiJoin)
		}
		b.write(") t")
		if p.after != nil {
			b.write(" WHERE ")
			writeKeyset(&b, p.order, *p.after, p.backward, 0)
		}
		b.write(" ORDER BY ")
		for i, o := range p.order {
			col := "t.s" + strconv.Itoa(i)
			desc := o.Desc != p.backward
			nullsDir := " ASC"
			if p.backward {
				nullsDir = " DESC"
			}
			dir := " ASC"
			if desc {
				dir = " DESC"
			}
			b.write("(", col, " IS NULL)", nullsDir, ", ", col, dir, ", ")
		}
		if p.backward {
			b.write("t.entity_ref DESC")
		} else {
			b.write("t.entity_ref ASC")
		}
	}
	switch {
	case p.limit > 0:
		b.write(" LIMIT ")
		b.arg(p.limit)
	case p.offset > 0 && !r.db.Dialect.IsPostgres():
		b.write(" LIMIT -1") // SQLite takes OFFSET only after a LIMIT
	}
	if p.offset > 0 {
		b.write(" OFFSET ")
		b.arg(p.offset)
	}

	return r.scanPage(ctx, &b, len(p.order), fn)
}

// writeDocumentPage (SQLite) writes an unordered page of a full-text search (with or without a
// filter, probed per match) that picks the page's entities from the text-document index,
// which holds entity_ref, and reads only those entities' rows: walking the entity_ref index
// would read every entity's row for its document until a page is found, and a semi-join
// would read and sort every match's entity.
func writeDocumentPage(b *sqlBuilder, p pageSpec) {
	dir := " ASC"
	if p.backward {
		dir = " DESC"
	}
	b.write("SELECT fe.entity_ref, fe.final_entity FROM final_entities fe WHERE fe.entity_id IN (")
	writeTextMatches(b, *p.fullText, p.filter) // b.docs holds: from the document index, aliased x
	writeAfterRef(b, "x.entity_ref", p)
	b.write(" ORDER BY x.entity_ref", dir, " LIMIT ")
	b.arg(p.limit)
	b.write(") ORDER BY fe.entity_ref", dir)
}

// writeAfterRef writes "col comes after the page's cursor entity_ref" (before, when
// backward), when the page has a cursor.
func writeAfterRef(b *sqlBuilder, col string, p pageSpec) {
	if p.after == nil {
		return
	}
	if p.backward {
		b.write(" AND ", col, " < ")
	} else {
		b.write(" AND ", col, " > ")
	}
	b.arg(p.after.Ref)
}

// scanPage runs the page query in b, whose columns are entity_ref,
// final_entity and n sort values, and calls fn for each row.
func (r *Reader) scanPage(ctx context.Context, b *sqlBuilder, n int, fn func(pageRow) error) error {
	rows, err := r.db.QueryContext(ctx, r.q(b.String()), b.args...)
	if err != nil {
		return fmt.Errorf("query entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var row pageRow
		vals := make([]sql.NullString, n)
		dest := make([]any, 0, 2+n)
		dest = append(dest, &row.pos.Ref, &row.entity)
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan entity: %w", err)
		}
		if n > 0 {
			row.pos.Values = make([]*string, n)
			for i, v := range vals {
				if v.Valid {
					s := v.String
					row.pos.Values[i] = &s
				}
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query entities: %w", err)
	}
	return nil
}

// writeKeyset writes "the row comes after pos" (before, when backward) for
// the ordering order + entity_ref, where missing values sort last:
// gt(0) OR (eq(0) AND (gt(1) OR (eq(1) AND ... ref > pos.Ref))).
func writeKeyset(b *sqlBuilder, order []query.OrderField, pos position, backward bool, i int) {
	if i == len(order) {
		if backward {
			b.write("t.entity_ref < ")
		} else {
			b.write("t.entity_ref > ")
		}
		b.arg(pos.Ref)
		return
	}
	col := "t.s" + strconv.Itoa(i)
	var v *string
	if i < len(pos.Values) {
		v = pos.Values[i]
	}
	b.write("(")
	// strictly beyond on this key
	switch {
	case v == nil && !backward:
		b.write("1=0") // nothing sorts after a missing value
	case v == nil && backward:
		b.write(col, " IS NOT NULL")
	default:
		greater := order[i].Desc == backward // forward asc or backward desc: larger values
		op := " < "
		if greater {
			op = " > "
		}
		if !backward {
			b.write("(", col, " IS NULL OR ", col, op)
			b.arg(*v)
			b.write(")")
		} else {
			b.write(col, op)
			b.arg(*v)
		}
	}
	b.write(" OR (")
	if v == nil {
		b.write(col, " IS NULL")
	} else {
		b.write(col, " = ")
		b.arg(*v)
	}
	b.write(" AND ")
	writeKeyset(b, order, pos, backward, i+1)
	b.write("))")
}

// count returns how many visible entities match filter and full text;
// driver is a selective match of the filter or nil (selectiveMatch).
func (r *Reader) count(ctx context.Context, filter *query.Expr, ft *query.FullText, driver *query.Match) (int, error) {
	var b sqlBuilder
	b.docs = hasText(ft) && r.textDocuments(ctx)
	if driver != nil {
		b.write("SELECT COUNT(*)")
		writeDriven(&b, driver, filter, ft)
	} else if m := singleValueMatch(filter); m != nil && !hasText(ft) {
		// Flatten makes (entity, key, value) unique and writes search rows
		// only for stitched entities, so one key=value pair is counted from
		// the (key, value) index alone, without touching the entities.
		b.write("SELECT COUNT(*) FROM search WHERE key = ")
		b.arg(m.Key)
		b.write(" AND value = ")
		b.arg(m.Values[0])
	} else {
		b.write("SELECT COUNT(*) FROM final_entities fe")
		switch {
		case r.db.Dialect.IsPostgres():
		case filter == nil && !hasText(ft):
			// Count every visible entity from the narrow index, not the
			// table rows and their large entity texts.
			b.write(" INDEXED BY " + sqliteRefIndex)
		case filter == nil && b.docs && ft.Documented():
			// Match the documents in their index, not in the table rows
			// (SQLite prefers the narrower entity_ref index otherwise).
			b.write(" INDEXED BY " + sqliteTextIndex)
		}
		b.write(" WHERE ")
		r.writeWhere(&b, filter, ft, matchSemiJoin)
	}
	var n int
	if err := r.db.QueryRowContext(ctx, r.q(b.String()), b.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count entities: %w", err)
	}
	return n, nil
}

// singleValueMatch returns the match of a filter that is one key=value test.
func singleValueMatch(e *query.Expr) *query.Match {
	if e == nil || e.Op != query.OpMatch || e.Match == nil || e.Match.HasPrefix || len(e.Match.Values) != 1 {
		return nil
	}
	return e.Match
}
