package reader

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
)

// TestWalkSortedMatchesPageSQL checks the single-field order walk against
// the one-statement ordering: same rows, same order, same positions, for
// whole walks and for every cursor position forwards and backwards,
// including multi-valued keys, ties, missing and NULL (over-long) values.
func TestWalkSortedMatchesPageSQL(t *testing.T) {
	long := ""
	for range 30 {
		long += "abcdefghij"
	}
	entities := []string{
		`{"kind":"Component","metadata":{"name":"a","tags":["zeta","alpha"]},"spec":{"type":"service","owner":"x"}}`,
		`{"kind":"Component","metadata":{"name":"b","tags":["beta"]},"spec":{"type":"Service"}}`,
		`{"kind":"Component","metadata":{"name":"c"},"spec":{"type":"website","owner":"x"}}`,
		`{"kind":"API","metadata":{"name":"d","tags":["alpha"]},"spec":{"type":"openapi","owner":"` + long + `"}}`,
		`{"kind":"API","metadata":{"name":"e","namespace":"other"},"spec":{"type":"service"}}`,
		`{"kind":"User","metadata":{"name":"f","tags":["beta","gamma"]},"spec":{}}`,
		`{"kind":"Group","metadata":{"name":"g"},"spec":{"type":"team"}}`,
	}
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		if _, err := (readertest.Seeder{DB: db}).Entities(t.Context(), entities...); err != nil {
			t.Fatal(err)
		}
		r := New(db)
		kindComponent := query.In("kind", "component")
		notUser := query.Not(query.In("kind", "user"))
		tests := []struct {
			name   string
			order  query.OrderField
			filter *query.Expr
			ft     *query.FullText
		}{
			{name: "tags asc", order: query.OrderField{Field: "metadata.tags"}},
			{name: "tags desc", order: query.OrderField{Field: "metadata.tags", Desc: true}},
			{name: "type asc", order: query.OrderField{Field: "spec.type"}},
			{name: "type desc components", order: query.OrderField{Field: "spec.type", Desc: true}, filter: &kindComponent},
			{name: "owner with null value", order: query.OrderField{Field: "spec.owner"}},
			{name: "owner desc not users", order: query.OrderField{Field: "spec.owner", Desc: true}, filter: &notUser},
			{name: "name full text", order: query.OrderField{Field: "metadata.name"}, ft: &query.FullText{Term: "a", Fields: []string{"metadata.tags"}}},
			{name: "missing key", order: query.OrderField{Field: "spec.nothing"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				base := pageSpec{filter: tt.filter, fullText: tt.ft, order: []query.OrderField{tt.order}}
				sameWalks(t, base, func(p pageSpec) []position { return collect(t, r.pageSQL, p) },
					func(p pageSpec) []position { return collect(t, r.walkSorted, p) })
			})
		}
	})
}

// sameWalks fails unless got reads the rows want reads: the whole walk from base, and the pages
// after each of its rows with limits 1, 2 and 100, forward and backward.
func sameWalks(t *testing.T, base pageSpec, want, got func(pageSpec) []position) {
	t.Helper()
	all := want(base)
	if g := got(base); !reflect.DeepEqual(g, all) {
		t.Fatalf("whole walk:\n got %v\nwant %v", g, all)
	}
	for i, pos := range all {
		for _, limit := range []int{1, 2, 100} {
			for _, backward := range []bool{false, true} {
				spec := base
				spec.after, spec.backward, spec.limit = &pos, backward, limit
				if g, w := got(spec), want(spec); !reflect.DeepEqual(g, w) {
					t.Errorf("after row %d limit %d backward %v:\n got %v\nwant %v", i, limit, backward, g, w)
				}
			}
		}
	}
}

func collect(t *testing.T, read func(ctx context.Context, p pageSpec, fn func(pageRow) error) error, p pageSpec) []position {
	t.Helper()
	out := []position{}
	if err := read(t.Context(), p, func(row pageRow) error {
		out = append(out, row.pos)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func (p position) String() string {
	vals := slices.Collect(func(yield func(string) bool) {
		for _, v := range p.Values {
			s := "<nil>"
			if v != nil {
				s = *v
			}
			if !yield(s) {
				return
			}
		}
	})
	return fmt.Sprintf("%s%v", p.Ref, vals)
}
