package ui_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
	"github.com/portico-dev/portico/plugins/catalog/ui"
)

// benchCatalog returns the catalog database of the benchmark and its size: the SQLite
// catalog at PORTICO_BENCH_DB (kept by `portico bench catalog --keep`, so the pages are
// timed over what the engine ingested), or else PORTICO_BENCH_ENTITIES generated entities
// stored directly.
func benchCatalog(b *testing.B) (*database.DB, int) {
	if file := os.Getenv("PORTICO_BENCH_DB"); file != "" {
		db, err := databasetest.NewManager(b, database.Options{Filename: file}).ForPlugin(b.Context(), "catalog")
		if err != nil {
			b.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(b.Context(), "SELECT COUNT(*) FROM final_entities").Scan(&n); err != nil {
			b.Fatalf("%s: %v", file, err)
		}
		return db, n
	}
	n := readertest.BenchEntities(b)
	db := openCatalogDB(b)
	seedGenerated(b, db, n)
	return db, n
}

// BenchmarkPages renders the catalog index and entity pages over a SQLite catalog of N
// generated entities (plugins/catalog/bench), reporting server time percentiles and HTML
// size. Run with PORTICO_BENCH_ENTITIES=100000, or PORTICO_BENCH_DB set to the database of
// `portico bench catalog --entities 100000 --keep`, for the 100k figures.
func BenchmarkPages(b *testing.B) {
	db, n := benchCatalog(b)
	// As the catalog plugin does at start-up (Pages.KeepCountsWarm), the default views' counts
	// are computed before requests come; "uncached counts" times a cache that never keeps them.
	warm, pages := shellPages(b, reader.New(db), nil, ui.Options{})
	if err := pages.WarmCounts(b.Context()); err != nil {
		b.Fatal(err)
	}
	cold := shellHandler(b, reader.New(db), nil, ui.Options{FacetTTL: -1})
	cases := []struct {
		name string
		path func(i int) string
	}{
		{"index default", func(int) string { return "/catalog" }},
		{"index default uncached counts", func(int) string { return "/catalog" }},
		{"index all kinds", func(int) string { return "/catalog?filters[kind]=all" }},
		{"index kind and owner", func(i int) string {
			return fmt.Sprintf("/catalog?filters[kind]=component&filters[owners]=group:default/%s", "platform")
		}},
		{"index text", func(i int) string { return fmt.Sprintf("/catalog?q=%d", i%1000) }},
		{"index sorted by name", func(int) string { return "/catalog?sort=name" }},
		{"entity component", func(i int) string { return "" }},
		{"entity group", func(i int) string { return "" }},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
			h := warm
			if c.name == "index default uncached counts" {
				h = cold
			}
			path := c.path
			switch c.name {
			case "entity component":
				refs := sampleRefs(b, h, "component")
				path = func(i int) string { return refs[i%len(refs)] }
			case "entity group":
				refs := sampleRefs(b, h, "group")
				path = func(i int) string { return refs[i%len(refs)] }
			}
			var times []time.Duration
			size := 0
			for i := 0; b.Loop(); i++ {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, path(i), nil)
				start := time.Now()
				h.ServeHTTP(rec, req)
				times = append(times, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d", req.URL, rec.Code)
				}
				size = max(size, rec.Body.Len())
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*50/100].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size)/1024, "max-KB")
		})
	}
}

// sampleRefs returns entity page paths of one kind, taken from the index.
func sampleRefs(b *testing.B, h http.Handler, kind string) []string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/catalog?limit=100&filters[kind]="+kind, nil))
	body := rec.Body.String()
	var out []string
	prefix := `<td><a href="/catalog/default/` + kind + `/`
	for i := 0; ; {
		j := indexFrom(body, prefix, i)
		if j < 0 {
			break
		}
		start := j + len(`<td><a href="`)
		end := indexFrom(body, `"`, start)
		out = append(out, body[start:end])
		i = end
	}
	if len(out) == 0 {
		b.Fatalf("no %s entities in the index", kind)
	}
	return out
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
