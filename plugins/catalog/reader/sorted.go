package reader

import (
	"context"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// sortedWalk reports whether page p is read by walkSorted: ordered by one
// field, without an offset, and (on SQLite, whose planner has no notion of
// how many entities a filter keeps) with a filter known to match densely.
func (r *Reader) sortedWalk(p pageSpec) bool {
	return len(p.order) == 1 && p.offset == 0 && (r.db.Dialect.IsPostgres() || p.walkRefIndex)
}

// walkSorted reads one page ordered by a single field. The ordering has two
// segments: the entities with a value for the field, by (value, entity_ref),
// then those without one, by entity_ref. The first segment is read by
// walking search(key, value) in order, keeping each entity's smallest value
// only, and probing the filter per row, so a page costs about limit rows
// instead of sorting every match; the second segment is read only when the
// first runs out. Backward walks visit the segments in reverse.
func (r *Reader) walkSorted(ctx context.Context, p pageSpec, fn func(pageRow) error) error {
	type segment struct {
		valued bool
		after  *position
	}
	var segs []segment
	switch {
	case p.after == nil && !p.backward:
		segs = []segment{{valued: true}, {valued: false}}
	case p.after == nil:
		segs = []segment{{valued: false}, {valued: true}}
	case p.after.Values[0] == nil && !p.backward:
		segs = []segment{{valued: false, after: p.after}}
	case p.after.Values[0] == nil:
		segs = []segment{{valued: false, after: p.after}, {valued: true}}
	case !p.backward:
		segs = []segment{{valued: true, after: p.after}, {valued: false}}
	default:
		segs = []segment{{valued: true, after: p.after}}
	}
	left := p.limit
	for _, s := range segs {
		if p.limit > 0 && left <= 0 {
			return nil
		}
		var b sqlBuilder
		b.docs = hasText(p.fullText) && r.textDocuments(ctx)
		if s.valued {
			r.writeValued(&b, p, s.after)
		} else {
			r.writeUnvalued(&b, p, s.after)
		}
		if p.limit > 0 {
			b.write(" LIMIT ")
			b.arg(left)
		}
		err := r.scanPage(ctx, &b, 1, func(row pageRow) error {
			left--
			return fn(row)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// writeValued writes the query of the entities having a value for the
// order field, strictly after (before, when backward) after if set.
func (r *Reader) writeValued(b *sqlBuilder, p pageSpec, after *position) {
	o := p.order[0]
	valueAsc := o.Desc == p.backward
	refOp := " > "
	if p.backward {
		refOp = " < "
	}
	b.write("SELECT fe.entity_ref, fe.final_entity, o.value FROM search o JOIN final_entities fe ON fe.entity_id = o.entity_id WHERE o.key = ")
	b.arg(o.Field)
	// The entity's sort value is its smallest value of the key.
	b.write(" AND o.value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM search o2 WHERE o2.entity_id = o.entity_id AND o2.key = o.key AND o2.value < o.value)")
	// Probing on o.entity_id rejects rows before the entity is read. When the filter matches
	// a large share of the catalog, PostgreSQL must probe per row of the value-ordered index
	// walk (which stops at the LIMIT): left to itself it flattens the probe into a semi-join
	// of every match and sorts them all (docs/performance.md, "Ordered pages").
	if p.filter != nil {
		mode := matchProbe
		if p.walkRefIndex && r.db.Dialect.IsPostgres() {
			mode = matchRowProbe
		}
		b.write(" AND ")
		compileExprMode(b, *p.filter, "o.entity_id", mode)
	}
	if p.fullText != nil && p.fullText.Term != "" {
		b.write(" AND ")
		compileFullText(b, *p.fullText, "o.entity_id")
	}
	b.write(" AND fe.final_entity IS NOT NULL")
	if after != nil {
		v := *after.Values[0]
		if valueAsc {
			b.write(" AND o.value >= ")
			b.arg(v)
			b.write(" AND (o.value > ")
		} else {
			b.write(" AND o.value <= ")
			b.arg(v)
			b.write(" AND (o.value < ")
		}
		b.arg(v)
		b.write(" OR fe.entity_ref", refOp)
		b.arg(after.Ref)
		b.write(")")
	}
	b.write(" ORDER BY o.value")
	if !valueAsc {
		b.write(" DESC")
	}
	if p.backward {
		b.write(", fe.entity_ref DESC")
	} else {
		b.write(", fe.entity_ref ASC")
	}
}

// writeUnvalued writes the query of the entities without a value for the
// order field, by entity_ref, strictly after (before) after if set.
func (r *Reader) writeUnvalued(b *sqlBuilder, p pageSpec, after *position) {
	sqlite := !r.db.Dialect.IsPostgres()
	b.write("SELECT fe.entity_ref, fe.final_entity, NULL FROM final_entities fe")
	if sqlite {
		b.write(" INDEXED BY " + sqliteRefIndex)
	}
	b.write(" WHERE ")
	mode := matchSemiJoin
	if sqlite {
		mode = matchProbe
	}
	compileWhereMode(b, p.filter, p.fullText, mode)
	b.write(" AND NOT EXISTS (SELECT 1 FROM search x WHERE x.entity_id = fe.entity_id AND x.key = ")
	b.arg(p.order[0].Field)
	b.write(" AND x.value IS NOT NULL)")
	if sqlite {
		writeKindRange(b, p.filter, "fe.entity_ref")
	}
	seg := p
	seg.after = after
	writeAfterRef(b, "fe.entity_ref", seg)
	if p.backward {
		b.write(" ORDER BY fe.entity_ref DESC")
	} else {
		b.write(" ORDER BY fe.entity_ref ASC")
	}
}

// writeKindRange narrows a filter that requires one kind to the entity_ref
// range of that kind ("<kind>:" up to "<kind>;"), which the entity_ref
// index walks directly. It is redundant with the filter, only faster, and
// relies on byte-wise comparison of refCol: SQLite's default collation, a
// PostgreSQL column in a byte-order collation (refsByteOrdered), or an
// expression with COLLATE "C".
func writeKindRange(b *sqlBuilder, filter *query.Expr, refCol string) {
	kind, ok := requiredKind(filter)
	if !ok {
		return
	}
	b.write(" AND ", refCol, " >= ")
	b.arg(kind + ":")
	b.write(" AND ", refCol, " < ")
	b.arg(kind + ";")
}

// requiredKind returns the kind every entity matching e has, when e is a
// kind=<value> match or a conjunction holding one.
func requiredKind(e *query.Expr) (string, bool) {
	if e == nil {
		return "", false
	}
	switch e.Op {
	case query.OpMatch:
		m := e.Match
		if m != nil && m.Key == "kind" && !m.HasPrefix && len(m.Values) == 1 && plainKind(m.Values[0]) {
			return m.Values[0], true
		}
	case query.OpAll:
		for i := range e.Args {
			if k, ok := requiredKind(&e.Args[i]); ok {
				return k, true
			}
		}
	}
	return "", false
}

// plainKind reports whether kind is lower-case ASCII without ':', so that
// its search value and the kind part of entity_ref are the same bytes.
func plainKind(kind string) bool {
	if kind == "" {
		return false
	}
	for i := 0; i < len(kind); i++ {
		c := kind[i]
		if c >= 0x80 || c == ':' || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
