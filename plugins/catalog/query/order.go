package query

import (
	"regexp"
	"strings"
)

// OrderField sorts by the search value of Field (a dotted search key,
// compared lower-cased); entities without it come last.
type OrderField struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc,omitempty"`
}

var orderParam = regexp.MustCompile(`^(asc|desc):(.+)$`)

// ParseOrder parses GET /entities order= values ("asc:field", "desc:field").
func ParseOrder(values []string) ([]OrderField, error) {
	var out []OrderField
	for _, v := range values {
		m := orderParam.FindStringSubmatch(v)
		if m == nil {
			return nil, inputErrorf("Invalid order parameter \"%s\", expected \"<asc or desc>:<field name>\"", v)
		}
		out = append(out, OrderField{Field: Lower(m[2]), Desc: m[1] == "desc"})
	}
	return out, nil
}

// ParseOrderFields parses GET /entities/by-query orderField= values
// ("field,asc", "field,desc" or "field").
func ParseOrderFields(values []string) ([]OrderField, error) {
	var out []OrderField
	for _, v := range values {
		field, order, hasOrder := strings.Cut(v, ",")
		if hasOrder {
			// Backstage splits on every comma and looks at the second piece only.
			order, _, _ = strings.Cut(order, ",")
			if order != "asc" && order != "desc" {
				return nil, inputErrorf("Invalid order field order, must be asc or desc")
			}
		}
		field = strings.TrimSpace(field)
		if field == "" {
			return nil, inputErrorf("Invalid order field, the field name must not be empty")
		}
		out = append(out, OrderField{Field: Lower(field), Desc: order == "desc"})
	}
	return out, nil
}

// ParseOrderBy converts the orderBy list of a POST /entities/by-query body.
func ParseOrderBy(items []OrderBy) ([]OrderField, error) {
	out := make([]OrderField, 0, len(items))
	for _, it := range items {
		if it.Order != "" && it.Order != "asc" && it.Order != "desc" {
			return nil, inputErrorf("Invalid order field order, must be asc or desc")
		}
		if strings.TrimSpace(it.Field) == "" {
			return nil, inputErrorf("Invalid order field, the field name must not be empty")
		}
		out = append(out, OrderField{Field: Lower(strings.TrimSpace(it.Field)), Desc: it.Order == "desc"})
	}
	return out, nil
}

// OrderBy is one element of a predicate query's orderBy list.
type OrderBy struct {
	Field string `json:"field"`
	Order string `json:"order,omitempty"`
}

// FullText is a case-insensitive substring search over the search values of
// Fields (search keys).
type FullText struct {
	Term   string   `json:"term"`
	Fields []string `json:"fields,omitempty"`
}

// DefaultFullTextFields returns the keys searched when a full-text filter
// names none.
func DefaultFullTextFields() []string {
	return []string{"metadata.name", "metadata.title", "spec.profile.displayname"}
}

// ParseFullTextFields splits fullTextFilterFields values on commas and
// lower-cases them.
func ParseFullTextFields(values []string) []string {
	var out []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, Lower(f))
			}
		}
	}
	return out
}
