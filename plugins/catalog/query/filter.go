package query

import "strings"

// ParseFilters parses the values of repeated filter= query parameters
// (catalog-api.md §1.1): each value is a set of comma-separated conditions
// that must all hold, and the sets are alternatives. Conditions with the same
// key in one set merge into one (their values are alternatives). "key" alone
// means the key exists, "key=" that its value is empty. It returns nil when
// nothing is filtered.
func ParseFilters(values []string) (*Expr, error) {
	if len(values) > MaxFilterSets {
		return nil, inputErrorf("Invalid filter, %d filter parameters given; at most %d are allowed", len(values), MaxFilterSets)
	}
	var sets []Expr
	for _, v := range values {
		set, ok, err := parseFilterSet(v)
		if err != nil {
			return nil, err
		}
		if ok {
			sets = append(sets, set)
		}
	}
	switch len(sets) {
	case 0:
		return nil, nil
	case 1:
		return &sets[0], checkSize(&sets[0])
	}
	e := Any(sets...)
	return &e, checkSize(&e)
}

type filterCond struct {
	key    string
	values []string
	exists bool
}

func parseFilterSet(s string) (Expr, bool, error) {
	var conds []*filterCond
	byKey := map[string]*filterCond{}
	for _, stmt := range strings.Split(s, ",") {
		stmt = strings.TrimSpace(stmt)
		if stmt == "" {
			continue
		}
		key, value, hasValue := strings.Cut(stmt, "=")
		key = strings.TrimSpace(key)
		if key == "" {
			return Expr{}, false, inputErrorf("Invalid filter, '%s' is not a valid statement (expected a string on the form a=b or a= or a)", stmt)
		}
		c := byKey[key]
		if c == nil {
			c = &filterCond{key: key}
			byKey[key] = c
			conds = append(conds, c)
		}
		if hasValue {
			c.values = append(c.values, strings.TrimSpace(value))
		} else {
			c.exists = true
		}
	}
	if len(conds) == 0 {
		return Expr{}, false, nil
	}
	args := make([]Expr, 0, len(conds))
	for _, c := range conds {
		if len(c.values) > 0 {
			args = append(args, In(c.key, c.values...))
		} else {
			args = append(args, Exists(c.key))
		}
	}
	if len(args) == 1 {
		return args[0], true, nil
	}
	return All(args...), true, nil
}
