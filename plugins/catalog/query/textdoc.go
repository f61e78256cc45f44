package query

import (
	"slices"
	"strings"
)

// TextSeparator separates the values in a text document; no full-text term containing it
// is answered from documents.
const TextSeparator = "\x1f"

// TextDocument is an entity's full-text document: the (lower-cased) search values of the
// default full-text fields, in the order of DefaultFullTextFields, joined by TextSeparator. A
// default full-text match of a term is a substring match of the term in the document, so the
// catalog keeps one document per entity (final_entities.search_text) and a search scans one
// short index entry per entity instead of several search rows.
func TextDocument(rows []Row) string {
	var parts []string
	for _, f := range DefaultFullTextFields() {
		for _, r := range rows {
			if r.Key == f && r.Value != nil {
				parts = append(parts, *r.Value)
			}
		}
	}
	return strings.Join(parts, TextSeparator)
}

// Documented reports whether ft can be answered from text documents: its fields are the
// default ones and its term cannot span two values.
func (ft FullText) Documented() bool {
	if strings.Contains(ft.Term, TextSeparator) {
		return false
	}
	if len(ft.Fields) == 0 {
		return true
	}
	fields := make([]string, 0, len(ft.Fields))
	for _, f := range ft.Fields {
		fields = append(fields, Lower(f))
	}
	slices.Sort(fields)
	fields = slices.Compact(fields)
	def := DefaultFullTextFields()
	slices.Sort(def)
	return slices.Equal(fields, def)
}
