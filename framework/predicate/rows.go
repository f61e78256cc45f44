package predicate

import "strings"

// Row is one flattened row of a document: a lower-cased dotted key and its lower-cased value,
// nil where the value is null or not indexed.
type Row struct {
	Key   string
	Value *string
}

// MatchRows reports whether rows pass e, exactly as the catalog's SQL compiled from e finds
// them in its search table.
func MatchRows(e Expr, rows []Row) bool {
	switch e.Op {
	case OpTrue:
		return true
	case OpAll:
		if len(e.Args) == 0 {
			return false
		}
		for _, a := range e.Args {
			if !MatchRows(a, rows) {
				return false
			}
		}
		return true
	case OpAny:
		for _, a := range e.Args {
			if MatchRows(a, rows) {
				return true
			}
		}
		return false
	case OpNot:
		return len(e.Args) != 1 || !MatchRows(e.Args[0], rows)
	case OpMatch:
		for _, r := range rows {
			if r.Key == e.Match.Key && rowMatches(e.Match, r.Value) {
				return true
			}
		}
	}
	return false
}

func rowMatches(m *Match, value *string) bool {
	switch {
	case m.HasPrefix:
		return value != nil && strings.HasPrefix(*value, m.Prefix)
	case len(m.Values) > 0:
		if value == nil {
			return false
		}
		for _, v := range m.Values {
			if *value == v {
				return true
			}
		}
		return false
	}
	return true
}
