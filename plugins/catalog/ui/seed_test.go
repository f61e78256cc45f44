package ui_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/bench"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
	"github.com/portico-dev/portico/plugins/catalog/store/migrations"
	"github.com/portico-dev/portico/plugins/catalog/ui"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// shellHandler mounts the catalog pages over r in a shell of their own, the way the app
// plugin does at start-up.
func shellHandler(tb testing.TB, r ui.Reader, overrides []extension.Override, opts ui.Options) http.Handler {
	tb.Helper()
	h, _ := shellPages(tb, r, overrides, opts)
	return h
}

// shellPages is shellHandler that also returns the catalog's pages.
func shellPages(tb testing.TB, r ui.Reader, overrides []extension.Override, opts ui.Options) (http.Handler, *ui.Pages) {
	tb.Helper()
	reg := &web.Registry{}
	pages := ui.Register(reg, r, opts)
	tree, err := extension.Resolve(reg.Extensions(), overrides)
	if err != nil {
		tb.Fatal(err)
	}
	shell, err := web.New(web.Options{}, tree)
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	shell.Mount(mux)
	return mux, pages
}

func openCatalogDB(tb testing.TB) *database.DB {
	tb.Helper()
	db := databasetest.OpenSQLite(tb, "catalogui")
	if err := db.Migrate(tb.Context(), migrations.FS); err != nil {
		tb.Fatal(err)
	}
	return db
}

// seedGenerated stores the bench generator's company of n entities as final entities, with
// the relations the catalog would derive (both directions), in batches.
func seedGenerated(tb testing.TB, db *database.DB, n int) *bench.Catalog {
	tb.Helper()
	c, err := bench.Generate(n, 1)
	if err != nil {
		tb.Fatal(err)
	}
	v := model.NewValidator(model.Options{})
	rels := map[string][]model.Relation{}
	var entities []*model.Entity
	for e := range c.Entities() {
		model.SetDefaults(e)
		pairs, _ := v.Relations(e)
		for _, p := range pairs {
			rels[p.Outgoing.Source.String()] = append(rels[p.Outgoing.Source.String()], model.Relation{Type: p.Outgoing.Type, TargetRef: p.Outgoing.Target.String()})
			rels[p.Incoming.Source.String()] = append(rels[p.Incoming.Source.String()], model.Relation{Type: p.Incoming.Type, TargetRef: p.Incoming.Target.String()})
		}
		entities = append(entities, e)
	}
	s := readertest.Seeder{DB: db}
	const batch = 2000
	for start := 0; start < len(entities); start += batch {
		var docs []string
		for _, e := range entities[start:min(start+batch, len(entities))] {
			e.Relations = rels[e.Ref().String()]
			b, err := json.Marshal(e)
			if err != nil {
				tb.Fatal(err)
			}
			docs = append(docs, string(b))
		}
		if _, err := s.Entities(tb.Context(), docs...); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := db.ExecContext(tb.Context(), "ANALYZE"); err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestProcessingErrorsShownProminently(t *testing.T) {
	db := openCatalogDB(t)
	_, err := readertest.Seeder{DB: db}.Entities(t.Context(), `{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"broken","namespace":"default"},"spec":{"type":"service","lifecycle":"production","owner":"team-x"},
		"status":{"items":[{"type":"backstage.io/catalog-processing","level":"error","message":"InputError: Policy check failed","error":{"name":"InputError","message":"Policy check failed for component:default/broken"}}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	h := shellHandler(t, reader.New(db), nil, ui.Options{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/catalog/default/component/broken", nil))
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	for _, want := range []string{`role="alert"`, "1 processing problem", "InputError", "Policy check failed for component:default/broken", `team-x`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
