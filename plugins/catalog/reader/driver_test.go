package reader

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
)

// TestDrivenPagesMatchJoin checks pages and counts that start from a selective match
// (selectiveMatch, SQLite) against the plain semi-join: same rows in the same order for
// whole pages, orderings and every cursor position, and the same counts.
func TestDrivenPagesMatchJoin(t *testing.T) {
	var entities []string
	for i := range 12 {
		typ := []string{"service", "website", "library"}[i%3]
		owner := []string{"team-a", "team-b"}[i%2]
		title := ""
		if i%4 != 0 {
			title = fmt.Sprintf(`,"title":"T%d"`, (i*7)%5)
		}
		entities = append(entities, fmt.Sprintf(
			`{"kind":"Component","metadata":{"name":"c%02d"%s,"tags":["t%d"]},"spec":{"type":%q,"owner":%q}}`, i, title, i%3, typ, owner))
	}
	entities = append(entities, `{"kind":"API","metadata":{"name":"c05"},"spec":{"type":"service","owner":"team-a"}}`)
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		if _, err := (readertest.Seeder{DB: db}).Entities(t.Context(), entities...); err != nil {
			t.Fatal(err)
		}
		r := New(db)
		and := func(es ...query.Expr) *query.Expr { e := query.All(es...); return &e }
		filters := map[string]*query.Expr{
			"kind and owner":          and(query.In("kind", "component"), query.In("spec.owner", "team-a")),
			"kind, type, not tag":     and(query.In("kind", "component"), query.In("spec.type", "service"), query.Not(query.In("metadata.tags", "t0"))),
			"kind and either type":    and(query.In("kind", "component"), query.In("spec.type", "service", "website")),
			"owner and nothing else":  and(query.In("spec.owner", "team-b"), query.In("spec.owner", "team-b")),
			"two kinds never matched": and(query.In("kind", "component"), query.In("kind", "api")),
		}
		texts := []*query.FullText{nil, {Term: "c0"}}
		orders := [][]query.OrderField{nil, {{Field: "metadata.title"}}, {{Field: "metadata.title", Desc: true}}}
		for name, f := range filters {
			for _, ft := range texts {
				for _, order := range orders {
					t.Run(fmt.Sprintf("%s text=%v order=%v", name, ft != nil, order), func(t *testing.T) {
						driver, err := r.selectiveMatch(t.Context(), f)
						if err != nil {
							t.Fatal(err)
						}
						if (driver != nil) == db.Dialect.IsPostgres() {
							t.Fatalf("driver = %v on %s", driver, db.Dialect.Name)
						}
						if driver == nil {
							return
						}
						base := pageSpec{filter: f, fullText: ft, order: order}
						want := collect(t, r.pageSQL, base)
						driven := base
						driven.driver = driver
						if got := collect(t, r.pageSQL, driven); !reflect.DeepEqual(got, want) {
							t.Fatalf("whole page:\n got %v\nwant %v", got, want)
						}
						wantN, err := r.count(t.Context(), f, ft, nil)
						if err != nil {
							t.Fatal(err)
						}
						if gotN, err := r.count(t.Context(), f, ft, driver); err != nil || gotN != wantN || gotN != len(want) {
							t.Fatalf("count = %d, %v; want %d (%d rows)", gotN, err, wantN, len(want))
						}
						for i, pos := range want {
							for _, limit := range []int{1, 3} {
								for _, backward := range []bool{false, true} {
									spec := base
									spec.after, spec.backward, spec.limit = &pos, backward, limit
									w := collect(t, r.pageSQL, spec)
									spec.driver = driver
									if got := collect(t, r.pageSQL, spec); !reflect.DeepEqual(got, w) {
										t.Errorf("after row %d limit %d backward %v:\n got %v\nwant %v", i, limit, backward, got, w)
									}
								}
							}
						}
					})
				}
			}
		}
	})
}
