package reader

import (
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
)

// TestRefWalkMatchesJoin checks the entity_ref index walk of unordered
// pages (per-row filter probes, kind ranges compared byte-wise or with
// COLLATE "C") against the plain semi-join: same rows in the same order,
// for whole walks and from every cursor position forwards and backwards,
// with kinds that prefix one another.
func TestRefWalkMatchesJoin(t *testing.T) {
	entities := []string{
		`{"kind":"Component","metadata":{"name":"a"},"spec":{"type":"service"}}`,
		`{"kind":"Component","metadata":{"name":"b","namespace":"other"},"spec":{"type":"website"}}`,
		`{"kind":"Comp","metadata":{"name":"a"},"spec":{"type":"service"}}`,
		`{"kind":"Componentx","metadata":{"name":"z"},"spec":{"type":"service"}}`,
		`{"kind":"API","metadata":{"name":"c"},"spec":{"type":"service"}}`,
		`{"kind":"User","metadata":{"name":"d"},"spec":{}}`,
		`{"kind":"Component","metadata":{"name":"e-1"},"spec":{"type":"service"}}`,
	}
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		if _, err := (readertest.Seeder{DB: db}).Entities(t.Context(), entities...); err != nil {
			t.Fatal(err)
		}
		kind := query.In("kind", "component")
		comp := query.In("kind", "comp")
		kindType := query.All(query.In("kind", "component"), query.In("spec.type", "service"))
		notUser := query.Not(query.In("kind", "user"))
		filters := []struct {
			name   string
			filter *query.Expr
		}{
			{"none", nil},
			{"kind", &kind},
			{"prefix kind", &comp},
			{"kind and type", &kindType},
			{"not user", &notUser},
		}
		plain := New(db)
		plain.collKnown, plain.collBytes = true, !db.Dialect.IsPostgres()
		for _, collBytes := range []bool{true, false} {
			r := New(db)
			r.collKnown, r.collBytes = true, collBytes
			if !db.Dialect.IsPostgres() && !collBytes {
				continue // SQLite compares byte-wise
			}
			coll := " byte order"
			if !collBytes {
				coll = " other collation"
			}
			for _, f := range filters {
				t.Run(f.name+coll, func(t *testing.T) {
					sameWalks(t, pageSpec{filter: f.filter}, func(p pageSpec) []position { return collect(t, plain.pageSQL, p) },
						func(p pageSpec) []position {
							p.walkRefIndex = true
							return collect(t, r.pageSQL, p)
						})
				})
			}
		}
	})
}
