package reader

import (
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// sqlBuilder accumulates a SQL text with '?' placeholders and its arguments.
type sqlBuilder struct {
	sb   strings.Builder
	args []any
	// docs: default full-text searches of final_entities rows match their text document
	// (Reader.textDocuments).
	docs bool
}

func (b *sqlBuilder) write(parts ...string) {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
}

func (b *sqlBuilder) arg(v any) {
	b.sb.WriteByte('?')
	b.args = append(b.args, v)
}

func (b *sqlBuilder) String() string { return b.sb.String() }

// argList writes a comma-separated placeholder per element of vals; arg, when not nil, gives an
// element's argument (else it is the element itself).
func argList[T any](b *sqlBuilder, vals []T, arg func(T) any) {
	for i, v := range vals {
		if i > 0 {
			b.write(", ")
		}
		if arg != nil {
			b.arg(arg(v))
		} else {
			b.arg(v)
		}
	}
}

// matchMode is how compileExprMode writes one key/value match.
type matchMode int

const (
	// matchSemiJoin writes a non-correlated IN subquery on search(key,
	// value), which both servers run once per query as a hashed semi-join.
	matchSemiJoin matchMode = iota
	// matchProbe writes an EXISTS probe on search(entity_id), cheap when
	// few entities are probed.
	matchProbe
	// matchRowProbe is matchProbe that PostgreSQL cannot flatten into a
	// join (OFFSET 0), so it runs per row of an index walk that stops at
	// the LIMIT, instead of a join of every match (PostgreSQL only).
	matchRowProbe
)

// compileExprMode writes e as a condition on the entity id column idCol,
// each match written as mode says.
func compileExprMode(b *sqlBuilder, e query.Expr, idCol string, mode matchMode) {
	switch e.Op {
	case query.OpTrue:
		b.write("1=1")
	case query.OpAll, query.OpAny:
		terms := e.Terms()
		if len(terms) == 0 {
			b.write("1=0")
			return
		}
		sep := " AND "
		if e.Op == query.OpAny {
			sep = " OR "
		}
		compileTerms(b, terms, sep, idCol, mode)
	case query.OpNot:
		b.write("NOT (")
		if len(e.Args) == 1 {
			compileExprMode(b, e.Args[0], idCol, mode)
		} else {
			b.write("1=0")
		}
		b.write(")")
	case query.OpMatch:
		m := e.Match
		if mode != matchSemiJoin {
			b.write("EXISTS (SELECT 1 FROM search WHERE entity_id = ", idCol, " AND key = ")
		} else {
			b.write(idCol, " IN (SELECT entity_id FROM search WHERE key = ")
		}
		b.arg(m.Key)
		switch {
		case m.HasPrefix:
			b.write(" AND value LIKE ")
			b.arg(escapeLike(m.Prefix) + "%")
			b.write(` ESCAPE '\'`)
		case len(m.Values) == 1:
			b.write(" AND value = ")
			b.arg(m.Values[0])
		case len(m.Values) > 1:
			b.write(" AND value IN (")
			argList(b, m.Values, nil)
			b.write(")")
		}
		if mode == matchRowProbe {
			b.write(" OFFSET 0")
		}
		b.write(")")
	default:
		b.write("1=0")
	}
}

// maxFlatTerms is the most operands written as one flat AND/OR chain. SQLite parses a chain
// of n operands into an expression tree n deep and refuses one deeper than 1000 ("Expression
// tree is too large"): longer lists are written as nested groups of at most maxFlatTerms, so
// the depth grows with the logarithm of the count (5,000 alternatives nest 3 deep).
const maxFlatTerms = 32

// compileTerms writes terms joined by sep, in parentheses, nested as maxFlatTerms says.
func compileTerms(b *sqlBuilder, terms []query.Expr, sep, idCol string, mode matchMode) {
	b.write("(")
	if len(terms) <= maxFlatTerms {
		for i, a := range terms {
			if i > 0 {
				b.write(sep)
			}
			compileExprMode(b, a, idCol, mode)
		}
	} else {
		size := (len(terms) + maxFlatTerms - 1) / maxFlatTerms
		for i := 0; i < len(terms); i += size {
			if i > 0 {
				b.write(sep)
			}
			compileTerms(b, terms[i:min(i+size, len(terms))], sep, idCol, mode)
		}
	}
	b.write(")")
}

// compileFullText writes a case-insensitive substring match of term over
// the search values of fields.
func compileFullText(b *sqlBuilder, ft query.FullText, idCol string) {
	compileFullTextMode(b, ft, idCol, matchSemiJoin)
}

// compileFullTextMode is compileFullText written as mode says: matchProbe
// probes idCol's rows; the other modes match the set of every matching entity.
func compileFullTextMode(b *sqlBuilder, ft query.FullText, idCol string, mode matchMode) {
	if mode == matchProbe {
		b.write("EXISTS (SELECT 1 FROM search t WHERE t.entity_id = ", idCol, " AND ")
	} else {
		b.write(idCol, " IN (SELECT t.entity_id FROM search t WHERE ")
	}
	writeTextMatch(b, ft)
	b.write(")")
}

// writeTextMatch writes the full-text condition on the search rows aliased t.
func writeTextMatch(b *sqlBuilder, ft query.FullText) {
	fields := ft.Fields
	if len(fields) == 0 {
		fields = query.DefaultFullTextFields()
	}
	b.write("t.key IN (")
	argList(b, fields, func(f string) any { return query.Lower(f) })
	b.write(") AND t.value LIKE ")
	b.arg("%" + escapeLike(query.Lower(strings.TrimSpace(ft.Term))) + "%")
	b.write(` ESCAPE '\'`)
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// compileWhere writes the visibility condition plus the optional filter and
// full-text conditions for final_entities aliased fe.
func compileWhere(b *sqlBuilder, filter *query.Expr, ft *query.FullText) {
	compileWhereMode(b, filter, ft, matchSemiJoin)
}

func compileWhereMode(b *sqlBuilder, filter *query.Expr, ft *query.FullText, mode matchMode) {
	b.write("fe.final_entity IS NOT NULL")
	if filter != nil {
		b.write(" AND ")
		compileExprMode(b, *filter, "fe.entity_id", mode)
	}
	if ft != nil && strings.TrimSpace(ft.Term) != "" {
		b.write(" AND ")
		if b.docs && ft.Documented() {
			writeDocumentMatch(b, "fe", *ft)
		} else {
			compileFullTextMode(b, *ft, "fe.entity_id", mode)
		}
	}
}

// writeDocumentMatch writes the full-text condition on the text document of the
// final_entities row aliased alias.
func writeDocumentMatch(b *sqlBuilder, alias string, ft query.FullText) {
	b.write(alias, ".search_text LIKE ")
	b.arg("%" + escapeLike(query.Lower(strings.TrimSpace(ft.Term))) + "%")
	b.write(` ESCAPE '\'`)
}
