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
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		seedPlanFixture(t, db)
		r := New(db)
		and := func(es ...query.Expr) *query.Expr { e := query.All(es...); return &e }
		filters := map[string]*query.Expr{
			"kind and owner":          and(query.In("kind", "component"), query.In("spec.owner", "team-a")),
			"kind, type, not tag":     and(query.In("kind", "component"), query.In("spec.type", "service"), query.Not(query.In("metadata.tags", "t0"))),
			"kind and either type":    and(query.In("kind", "component"), query.In("spec.type", "service", "website")),
			"owner and nothing else":  and(query.In("spec.owner", "team-b"), query.In("spec.owner", "team-b")),
			"two kinds never matched": and(query.In("kind", "component"), query.In("kind", "api")),
		}
		for name, f := range filters {
			driver, err := r.selectiveMatch(t.Context(), f)
			if err != nil {
				t.Fatal(err)
			}
			if (driver != nil) == db.Dialect.IsPostgres() {
				t.Fatalf("%s: driver = %v on %s", name, driver, db.Dialect.Name)
			}
			if driver == nil {
				continue
			}
			comparePages(t, name, f, r, r, func(p *pageSpec) { p.driver = driver })
		}
	})
}

// TestTextProbesMatchJoin checks filters probed per full-text match (writeWhere, SQLite)
// against plain semi-joins, for pages, orderings, cursors and counts.
func TestTextProbesMatchJoin(t *testing.T) {
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		seedPlanFixture(t, db)
		probing, plain := New(db), New(db)
		plain.noTextProbes = true
		if probing.textProbes() == db.Dialect.IsPostgres() || plain.textProbes() {
			t.Fatalf("textProbes on %s = %v", db.Dialect.Name, probing.textProbes())
		}
		kind, notTag := query.In("kind", "component"), query.Not(query.In("metadata.tags", "t1"))
		either := query.Any(query.In("spec.type", "library"), query.In("spec.owner", "team-a"))
		for name, f := range map[string]*query.Expr{"kind": &kind, "not tag": &notTag, "either": &either} {
			comparePages(t, name, f, plain, probing, nil)
		}
	})
}

// TestTextDocumentsMatchSearchRows checks full-text searches answered from text documents
// (final_entities.search_text) against the same searches over search rows, with and
// without filters, for pages, orderings, cursors and counts.
func TestTextDocumentsMatchSearchRows(t *testing.T) {
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		seedPlanFixture(t, db)
		docs, rows := New(db), New(db)
		rows.noTextDocs = true
		if !docs.textDocuments(t.Context()) || rows.textDocuments(t.Context()) {
			t.Fatal("text documents not in use")
		}
		kind, notTag := query.In("kind", "component"), query.Not(query.In("metadata.tags", "t1"))
		owner := query.All(query.In("kind", "component"), query.In("spec.owner", "team-a"))
		for name, f := range map[string]*query.Expr{"no filter": nil, "kind": &kind, "not tag": &notTag, "kind and owner": &owner} {
			comparePages(t, name, f, rows, docs, func(p *pageSpec) {
				if name == "kind and owner" && !db.Dialect.IsPostgres() { // drivers are SQLite's
					p.driver = &query.Match{Key: "spec.owner", Values: []string{"team-a"}}
				}
			})
		}
		// An entity without a document (stitched before documents existed) turns them off.
		if _, err := db.ExecContext(t.Context(), "UPDATE final_entities SET search_text = NULL WHERE entity_ref = 'component:default/c03'"); err != nil {
			t.Fatal(err)
		}
		if New(db).textDocuments(t.Context()) {
			t.Fatal("text documents used while an entity has none")
		}
	})
}

// seedPlanFixture stores planFixture's entities in db.
func seedPlanFixture(t *testing.T, db *database.DB) {
	t.Helper()
	if _, err := (readertest.Seeder{DB: db}).Entities(t.Context(), planFixture()...); err != nil {
		t.Fatal(err)
	}
}

// planFixture is a dozen components with titles, tags, types and owners, and an API.
func planFixture() []string {
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
	return append(entities, `{"kind":"API","metadata":{"name":"c05"},"spec":{"type":"service","owner":"team-a"}}`)
}

// comparePages checks reader got (pages adjusted by mod) against reader want over filter f,
// without and with a full-text term, unordered and ordered both ways: whole pages, counts,
// and pages from every cursor position in both directions.
func comparePages(t *testing.T, name string, f *query.Expr, want, got *Reader, mod func(*pageSpec)) {
	texts := []*query.FullText{nil, {Term: "c0"}, {Term: "T", Fields: []string{"metadata.title"}}, {Term: "t3"},
		{Term: "0", Fields: []string{"spec.profile.displayName", "metadata.name", "metadata.title"}}}
	orders := [][]query.OrderField{nil, {{Field: "metadata.title"}}, {{Field: "metadata.title", Desc: true}}}
	for _, ft := range texts {
		for _, order := range orders {
			t.Run(fmt.Sprintf("%s text=%v order=%v", name, ft, order), func(t *testing.T) {
				base := pageSpec{filter: f, fullText: ft, order: order}
				adjusted := func(p pageSpec) pageSpec {
					if mod != nil {
						mod(&p)
					}
					return p
				}
				rows := collect(t, want.pageSQL, base)
				if g := collect(t, got.pageSQL, adjusted(base)); !reflect.DeepEqual(g, rows) {
					t.Fatalf("whole page:\n got %v\nwant %v", g, rows)
				}
				var driver *query.Match
				if p := adjusted(base); p.driver != nil {
					driver = p.driver
				}
				wantN, err := want.count(t.Context(), f, ft, nil)
				if err != nil {
					t.Fatal(err)
				}
				if gotN, err := got.count(t.Context(), f, ft, driver); err != nil || gotN != wantN || gotN != len(rows) {
					t.Fatalf("count = %d, %v; want %d (%d rows)", gotN, err, wantN, len(rows))
				}
				for i, pos := range rows {
					for _, limit := range []int{1, 3} {
						for _, backward := range []bool{false, true} {
							spec := base
							spec.after, spec.backward, spec.limit = &pos, backward, limit
							w := collect(t, want.pageSQL, spec)
							if g := collect(t, got.pageSQL, adjusted(spec)); !reflect.DeepEqual(g, w) {
								t.Errorf("after row %d limit %d backward %v:\n got %v\nwant %v", i, limit, backward, g, w)
							}
						}
					}
				}
			})
		}
	}
}

// TestFewTextMatchesQuery checks text-only searches answered from one scan of the document
// index (fewTextMatches) against the same searches over search rows through Query: totals,
// items and every page reached by following the cursors both ways.
func TestFewTextMatchesQuery(t *testing.T) {
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		seedPlanFixture(t, db)
		docs, rows := New(db), New(db)
		rows.noTextDocs = true
		if _, ok, err := docs.fewTextMatches(t.Context(), nil, &query.FullText{Term: "c0"}); err != nil || ok == db.Dialect.IsPostgres() {
			t.Fatalf("fewTextMatches on %s: ok %v, %v", db.Dialect.Name, ok, err)
		}
		walk := func(r *Reader, req QueryRequest) []string {
			t.Helper()
			var out []string
			for page := 0; page < 20; page++ {
				res, err := r.Query(t.Context(), req)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("total=%d", res.TotalItems))
				for _, it := range res.Items {
					out = append(out, string(it))
				}
				if res.PrevCursor != "" && page > 0 {
					back, err := r.Query(t.Context(), QueryRequest{Cursor: res.PrevCursor, Limit: req.Limit})
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, fmt.Sprintf("back=%d", len(back.Items)))
				}
				if res.NextCursor == "" {
					break
				}
				req = QueryRequest{Cursor: res.NextCursor, Limit: req.Limit}
			}
			return out
		}
		for _, term := range []string{"c0", "c1", "T3", "nothing", "c"} {
			for _, limit := range []int{1, 4, 50} {
				req := QueryRequest{FullText: &query.FullText{Term: term}, Limit: limit}
				if got, want := walk(docs, req), walk(rows, req); !reflect.DeepEqual(got, want) {
					t.Fatalf("term %q limit %d:\n got %v\nwant %v", term, limit, got, want)
				}
			}
		}
	})
}
