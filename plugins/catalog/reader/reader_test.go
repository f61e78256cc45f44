package reader_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
)

func filters(t *testing.T, fs ...string) *query.Expr {
	t.Helper()
	e, err := query.ParseFilters(fs)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func predicate(t *testing.T, s string) *query.Expr {
	t.Helper()
	e, err := query.ParsePredicate(json.RawMessage(s))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestReader(t *testing.T) {
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		r := seeded(t, db)
		t.Run("filters", func(t *testing.T) { testFilters(t, r) })
		t.Run("predicates", func(t *testing.T) { testPredicates(t, r) })
		t.Run("fields and order", func(t *testing.T) { testFieldsOrder(t, r) })
		t.Run("list paging", func(t *testing.T) { testListPaging(t, r) })
		t.Run("query paging", func(t *testing.T) { testQueryPaging(t, r) })
		t.Run("full text and total", func(t *testing.T) { testFullText(t, r) })
		t.Run("by ref uid refs", func(t *testing.T) { testByRefs(t, r) })
		t.Run("facets", func(t *testing.T) { testFacets(t, r) })
		t.Run("ancestry", func(t *testing.T) { testAncestry(t, r) })
		t.Run("locations", func(t *testing.T) { testLocations(t, r) })
	})
}

func testFilters(t *testing.T, r *reader.Reader) {
	tests := []struct {
		name    string
		filters []string
		want    []string
	}{
		{"none", nil, []string{"api:default/artist-api", "component:default/artist-web", "component:default/searcher", "component:prod/billing", "group:default/team-a", "location:default/generated-1", "user:default/jdoe"}},
		{"and", []string{"kind=component,spec.type=service"}, []string{"component:default/searcher", "component:prod/billing"}},
		{"case-insensitive", []string{"KIND=Component,Spec.Type=SERVICE"}, []string{"component:default/searcher", "component:prod/billing"}},
		{"or across params", []string{"kind=user", "kind=group"}, []string{"group:default/team-a", "user:default/jdoe"}},
		{"same key or", []string{"kind=api,kind=group"}, []string{"api:default/artist-api", "group:default/team-a"}},
		{"exists", []string{"kind=group,spec.type"}, []string{"group:default/team-a"}},
		{"exists absent", []string{"kind=user,spec.type"}, []string{}},
		{"tags form", []string{"metadata.tags.java"}, []string{"component:default/artist-web"}},
		{"tags value", []string{"metadata.tags=go"}, []string{"component:default/searcher"}},
		{"relations", []string{"kind=user,relations.memberof=group:default/team-a"}, []string{"user:default/jdoe"}},
		{"relations ownedBy", []string{"relations.ownedBy=group:default/team-a"}, []string{"api:default/artist-api", "component:default/artist-web"}},
		{"annotation", []string{"metadata.annotations.backstage.io/orphan=true"}, []string{"component:default/searcher"}},
		{"namespace default", []string{"kind=component,metadata.namespace=default"}, []string{"component:default/artist-web", "component:default/searcher"}},
		{"empty value", []string{"spec.type="}, []string{}},
		{"nested", []string{"spec.profile.displayname=team alpha"}, []string{"group:default/team-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := r.List(t.Context(), reader.ListRequest{Filter: filters(t, tt.filters...)})
			if err != nil {
				t.Fatal(err)
			}
			if got := refsOf(t, res.Items); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("filter %q: got %v, want %v", tt.filters, got, tt.want)
			}
		})
	}
}

func testPredicates(t *testing.T, r *reader.Reader) {
	tests := []struct {
		name, pred string
		want       []string
	}{
		{"kind", `{"kind":"component"}`, []string{"component:default/artist-web", "component:default/searcher", "component:prod/billing"}},
		{"in", `{"spec.type":{"$in":["website","openapi"]}}`, []string{"api:default/artist-api", "component:default/artist-web"}},
		{"not", `{"$all":[{"kind":"component"},{"$not":{"spec.lifecycle":"experimental"}}]}`, []string{"component:default/artist-web", "component:prod/billing"}},
		{"not exists", `{"kind":"component","metadata.tags":{"$exists":false}}`, []string{"component:prod/billing"}},
		{"any", `{"$any":[{"kind":"user"},{"metadata.name":{"$hasPrefix":"Artist-"}}]}`, []string{"api:default/artist-api", "component:default/artist-web", "user:default/jdoe"}},
		{"prefix escapes", `{"metadata.name":{"$hasPrefix":"artist%"}}`, []string{}},
		{"empty all", `{"$all":[]}`, []string{}},
		{"empty any", `{"$any":[]}`, []string{}},
		{"empty object", `{}`, []string{"api:default/artist-api", "component:default/artist-web", "component:default/searcher", "component:prod/billing", "group:default/team-a", "location:default/generated-1", "user:default/jdoe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := r.Query(t.Context(), reader.QueryRequest{Filter: predicate(t, tt.pred), Predicate: true, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if got := refsOf(t, res.Items); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("predicate %s: got %v, want %v", tt.pred, got, tt.want)
			}
			if res.TotalItems != len(tt.want) {
				t.Errorf("predicate %s: totalItems %d, want %d", tt.pred, res.TotalItems, len(tt.want))
			}
		})
	}
}

func testFieldsOrder(t *testing.T, r *reader.Reader) {
	res, err := r.List(t.Context(), reader.ListRequest{
		Filter: filters(t, "kind=component"),
		Fields: []string{"kind", "metadata.name"},
		Order:  []query.OrderField{{Field: "spec.type", Desc: true}, {Field: "metadata.name"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range res.Items {
		got = append(got, string(it))
	}
	want := []string{
		`{"kind":"Component","metadata":{"name":"artist-web"}}`,
		`{"kind":"Component","metadata":{"name":"billing"}}`,
		`{"kind":"Component","metadata":{"name":"searcher"}}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ordered projection: got %v, want %v", got, want)
	}

	// Entities without the sort field come last in both directions.
	for _, desc := range []bool{false, true} {
		res, err := r.List(t.Context(), reader.ListRequest{Order: []query.OrderField{{Field: "spec.lifecycle", Desc: desc}}})
		if err != nil {
			t.Fatal(err)
		}
		refs := refsOf(t, res.Items)
		tail := refs[len(refs)-3:]
		if want := []string{"group:default/team-a", "location:default/generated-1", "user:default/jdoe"}; !reflect.DeepEqual(tail, want) {
			t.Errorf("desc=%v: missing values should come last: %v", desc, refs)
		}
	}
}

func testListPaging(t *testing.T, r *reader.Reader) {
	for _, order := range [][]query.OrderField{nil, {{Field: "spec.lifecycle"}}, {{Field: "spec.owner", Desc: true}, {Field: "metadata.name"}}} {
		full, err := r.List(t.Context(), reader.ListRequest{Order: order})
		if err != nil {
			t.Fatal(err)
		}
		var paged []json.RawMessage
		after := ""
		for i := 0; ; i++ {
			if i > 10 {
				t.Fatal("paging does not end")
			}
			res, err := r.List(t.Context(), reader.ListRequest{Order: order, Limit: 2, After: after})
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, res.Items...)
			if res.NextAfter == "" {
				break
			}
			after = res.NextAfter
		}
		if got, want := refsOf(t, paged), refsOf(t, full.Items); !reflect.DeepEqual(got, want) {
			t.Errorf("order %v: paged %v, want %v", order, got, want)
		}
	}
	res, err := r.List(t.Context(), reader.ListRequest{Offset: 5, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := refsOf(t, res.Items); !reflect.DeepEqual(got, []string{"location:default/generated-1", "user:default/jdoe"}) || res.NextAfter != "" {
		t.Errorf("offset page: %v next=%q", got, res.NextAfter)
	}
	res, err = r.List(t.Context(), reader.ListRequest{Offset: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 5 {
		t.Errorf("offset without limit: %d items", len(res.Items))
	}
	_, err = r.List(t.Context(), reader.ListRequest{After: "%%%"})
	var ie *query.InputError
	if !errors.As(err, &ie) {
		t.Errorf("bad cursor: %v", err)
	}
}

func testQueryPaging(t *testing.T, r *reader.Reader) {
	for _, order := range [][]query.OrderField{nil, {{Field: "spec.lifecycle", Desc: true}}, {{Field: "kind"}, {Field: "metadata.name", Desc: true}}} {
		full, err := r.Query(t.Context(), reader.QueryRequest{Order: order, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		want := refsOf(t, full.Items)
		// Forward by 3, remembering every page.
		var pages [][]string
		var prevs []string
		res, err := r.Query(t.Context(), reader.QueryRequest{Order: order, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if res.PrevCursor != "" {
			t.Errorf("first page has a prevCursor")
		}
		for {
			pages = append(pages, refsOf(t, res.Items))
			prevs = append(prevs, res.PrevCursor)
			if res.TotalItems != len(want) {
				t.Errorf("totalItems %d, want %d", res.TotalItems, len(want))
			}
			if res.NextCursor == "" {
				break
			}
			if len(pages) > 10 {
				t.Fatal("paging does not end")
			}
			res, err = r.Query(t.Context(), reader.QueryRequest{Cursor: res.NextCursor, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
		}
		var all []string
		for _, p := range pages {
			all = append(all, p...)
		}
		if !reflect.DeepEqual(all, want) {
			t.Errorf("order %v: forward pages %v, want %v", order, pages, want)
		}
		// Back from the last page to the first.
		for i := len(pages) - 1; i > 0; i-- {
			back, err := r.Query(t.Context(), reader.QueryRequest{Cursor: prevs[i], Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if got := refsOf(t, back.Items); !reflect.DeepEqual(got, pages[i-1]) {
				t.Errorf("order %v: back to page %d: %v, want %v", order, i-1, got, pages[i-1])
			}
			if (i-1 == 0) != (back.PrevCursor == "") {
				t.Errorf("order %v: page %d prevCursor=%q", order, i-1, back.PrevCursor)
			}
			if back.NextCursor == "" {
				t.Errorf("order %v: page %d reached backwards has no nextCursor", order, i-1)
			}
		}
	}
	// A GET cursor has no "query" key; a predicate cursor has one.
	for _, pred := range []bool{false, true} {
		res, err := r.Query(t.Context(), reader.QueryRequest{Filter: filters(t, "kind=component"), Predicate: pred, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		b := decodeB64(t, res.NextCursor)
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if _, has := doc["query"]; has != pred {
			t.Errorf("predicate=%v: cursor %s", pred, b)
		}
		next, err := r.Query(t.Context(), reader.QueryRequest{Cursor: res.NextCursor, Limit: 5, Filter: filters(t, "kind=user")})
		if err != nil {
			t.Fatal(err)
		}
		if got := refsOf(t, next.Items); !reflect.DeepEqual(got, []string{"component:default/searcher", "component:prod/billing"}) {
			t.Errorf("cursor must carry the filter: %v", got)
		}
	}
	testBoundCursor(t, r)
	// Offset on the initial request, and the default limit.
	res, err := r.Query(t.Context(), reader.QueryRequest{Offset: 6})
	if err != nil {
		t.Fatal(err)
	}
	if got := refsOf(t, res.Items); !reflect.DeepEqual(got, []string{"user:default/jdoe"}) || res.PrevCursor == "" || res.NextCursor != "" {
		t.Errorf("offset page %v prev=%q next=%q", got, res.PrevCursor, res.NextCursor)
	}
	res, err = r.Query(t.Context(), reader.QueryRequest{SkipTotal: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.TotalItems != 0 {
		t.Errorf("totalItems=exclude counted %d", res.TotalItems)
	}
}

func testFullText(t *testing.T, r *reader.Reader) {
	tests := []struct {
		name   string
		ft     query.FullText
		filter []string
		want   []string
	}{
		{"default fields name", query.FullText{Term: "ARTIST"}, nil, []string{"api:default/artist-api", "component:default/artist-web"}},
		{"default fields display name", query.FullText{Term: "doe"}, nil, []string{"user:default/jdoe"}},
		{"title", query.FullText{Term: "artist web"}, nil, []string{"component:default/artist-web"}},
		{"explicit fields", query.FullText{Term: "team-", Fields: []string{"spec.owner"}}, []string{"kind=component"}, []string{"component:default/artist-web", "component:default/searcher", "component:prod/billing"}},
		{"like escaped", query.FullText{Term: "%"}, nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := tt.ft
			res, err := r.Query(t.Context(), reader.QueryRequest{FullText: &ft, Filter: filters(t, tt.filter...), Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if got := refsOf(t, res.Items); !reflect.DeepEqual(got, tt.want) || res.TotalItems != len(tt.want) {
				t.Errorf("full text %+v: got %v (total %d), want %v", tt.ft, got, res.TotalItems, tt.want)
			}
		})
	}
}

func testByRefs(t *testing.T, r *reader.Reader) {
	items, err := r.ByRefs(t.Context(), []string{"Component:default/Artist-Web", "api:default/nope", "component:prod/billing", "component:default/pending"}, filters(t, "kind=component"), []string{"metadata.name"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, string(it))
	}
	if want := []string{`{"metadata":{"name":"artist-web"}}`, "", `{"metadata":{"name":"billing"}}`, ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("by refs: %q, want %q", got, want)
	}
	items, err = r.ByRefs(t.Context(), []string{"api:default/artist-api"}, filters(t, "kind=component"), nil)
	if err != nil || items[0] != nil {
		t.Errorf("filtered out: %s %v", items, err)
	}
	// A malformed ref is not an error: it names no entity (Backstage answers null).
	items, err = r.ByRefs(t.Context(), []string{"no-kind", "api:default/artist-api"}, nil, []string{"metadata.name"})
	if err != nil || len(items) != 2 || items[0] != nil || string(items[1]) != `{"metadata":{"name":"artist-api"}}` {
		t.Errorf("malformed ref: %q %v", items, err)
	}

	e, err := r.ByRef(t.Context(), "COMPONENT:Default/Artist-Web")
	if err != nil {
		t.Fatal(err)
	}
	var ent struct {
		Metadata struct{ UID string } `json:"metadata"`
	}
	mustOK(t, json.Unmarshal(e, &ent))
	if _, err := r.ByUID(t.Context(), ent.Metadata.UID); err != nil {
		t.Errorf("by uid: %v", err)
	}
	for _, fn := range []func() error{
		func() error { _, err := r.ByRef(t.Context(), "component:default/pending"); return err },
		func() error { _, err := r.ByRef(t.Context(), "component:default/none"); return err },
		func() error { _, err := r.ByUID(t.Context(), "pending-uid"); return err },
	} {
		if err := fn(); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("want not found, got %v", err)
		}
	}
}

func testFacets(t *testing.T, r *reader.Reader) {
	got, err := r.Facets(t.Context(), []string{"spec.type", "Kind", "metadata.tags", "relations.ownedBy", "spec.nothing"}, filters(t, "kind=component", "kind=api", "kind=group"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		sort.Slice(v, func(i, j int) bool { return v[i].Value < v[j].Value })
	}
	want := map[string][]reader.FacetCount{
		"spec.type":         {{Value: "Service", Count: 1}, {Value: "openapi", Count: 1}, {Value: "service", Count: 1}, {Value: "team", Count: 1}, {Value: "website", Count: 1}},
		"Kind":              {{Value: "API", Count: 1}, {Value: "Component", Count: 3}, {Value: "Group", Count: 1}},
		"metadata.tags":     {{Value: "go", Count: 1}, {Value: "java", Count: 1}, {Value: "web", Count: 1}},
		"relations.ownedBy": {{Value: "group:default/team-a", Count: 2}},
		"spec.nothing":      {},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("facets:\n got %v\nwant %v", got, want)
	}
}

func testAncestry(t *testing.T, r *reader.Reader) {
	a, err := r.Ancestry(t.Context(), "component:default/artist-web")
	if err != nil {
		t.Fatal(err)
	}
	if a.RootEntityRef != "component:default/artist-web" || len(a.Items) != 2 {
		t.Fatalf("ancestry %+v", a)
	}
	if got := refsOf(t, []json.RawMessage{a.Items[0].Entity, a.Items[1].Entity}); !reflect.DeepEqual(got, []string{"component:default/artist-web", "location:default/generated-1"}) {
		t.Errorf("ancestry entities %v", got)
	}
	if !reflect.DeepEqual(a.Items[0].ParentEntityRefs, []string{"location:default/generated-1"}) || len(a.Items[1].ParentEntityRefs) != 0 || a.Items[1].ParentEntityRefs == nil {
		t.Errorf("ancestry parents %v %v", a.Items[0].ParentEntityRefs, a.Items[1].ParentEntityRefs)
	}
	if _, err := r.Ancestry(t.Context(), "component:default/none"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("missing ancestry: %v", err)
	}
}

func testLocations(t *testing.T, r *reader.Reader) {
	locs, err := r.Locations(t.Context())
	if err != nil || len(locs) != 2 || locs[0].Type != "file" {
		t.Fatalf("locations %v %v", locs, err)
	}
	l, err := r.Location(t.Context(), "b0000000-0000-0000-0000-000000000002")
	if err != nil || l.Target != "https://example.com/catalog.yaml" {
		t.Errorf("location %v %v", l, err)
	}
	if _, err := r.Location(t.Context(), "nope"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("missing location: %v", err)
	}
	l, err = r.LocationByEntity(t.Context(), "component:default/artist-web")
	if err != nil || l.ID != "b0000000-0000-0000-0000-000000000002" {
		t.Errorf("location by entity %v %v", l, err)
	}
	if _, err := r.LocationByEntity(t.Context(), "component:default/searcher"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("entity without origin: %v", err)
	}
	q, err := r.QueryLocations(t.Context(), reader.LocationQuery{Limit: 1})
	if err != nil || len(q.Items) != 1 || q.TotalItems != 2 || q.NextCursor == "" {
		t.Fatalf("query locations %+v %v", q, err)
	}
	q2, err := r.QueryLocations(t.Context(), reader.LocationQuery{Cursor: q.NextCursor, Limit: 1})
	if err != nil || len(q2.Items) != 1 || q2.Items[0].Type != "url" || q2.NextCursor != "" || q2.TotalItems != 2 {
		t.Errorf("second page %+v %v", q2, err)
	}
	q3, err := r.QueryLocations(t.Context(), reader.LocationQuery{Query: predicate(t, `{"type":"URL"}`)})
	if err != nil || len(q3.Items) != 1 || q3.Items[0].Type != "url" {
		t.Errorf("filtered %+v %v", q3, err)
	}
	_, err = r.QueryLocations(t.Context(), reader.LocationQuery{Query: predicate(t, `{"color":"x"}`)})
	var ie *query.InputError
	if !errors.As(err, &ie) {
		t.Errorf("bad field: %v", err)
	}
}

// testBoundCursor: with BindCursor, a cursor pages only through the query it was made for;
// one made for another filter, text or order (an edited link) is refused.
func testBoundCursor(t *testing.T, r *reader.Reader) {
	order := []query.OrderField{{Field: "metadata.name"}}
	components := reader.QueryRequest{Filter: filters(t, "kind=component"), Order: order, Limit: 1}
	first, err := r.Query(t.Context(), components)
	if err != nil || first.NextCursor == "" {
		t.Fatalf("first page: %v, next %q", err, first.NextCursor)
	}
	tests := []struct {
		name    string
		req     reader.QueryRequest
		refused bool
	}{
		{"same query", components, false},
		{"same query, filter built anew", reader.QueryRequest{Filter: filters(t, "kind=component"), Order: []query.OrderField{{Field: "metadata.name"}}}, false},
		{"another kind", reader.QueryRequest{Filter: filters(t, "kind=user"), Order: order}, true},
		{"no filter", reader.QueryRequest{Order: order}, true},
		{"another order", reader.QueryRequest{Filter: filters(t, "kind=component"), Order: []query.OrderField{{Field: "metadata.name", Desc: true}}}, true},
		{"a text search", reader.QueryRequest{Filter: filters(t, "kind=component"), Order: order, FullText: &query.FullText{Term: "bill"}}, true},
		{"as a predicate", reader.QueryRequest{Filter: filters(t, "kind=component"), Order: order, Predicate: true}, true},
	}
	for _, tt := range tests {
		req := tt.req
		req.Cursor, req.BindCursor, req.Limit = first.NextCursor, true, 5
		res, err := r.Query(t.Context(), req)
		var ie *query.InputError
		if tt.refused != errors.As(err, &ie) {
			t.Errorf("bound cursor, %s: err %v, want refused: %v", tt.name, err, tt.refused)
			continue
		}
		if !tt.refused && (res.TotalItems != 3 || len(res.Items) != 2) {
			t.Errorf("bound cursor, %s: total %d, items %v", tt.name, res.TotalItems, refsOf(t, res.Items))
		}
	}
}
