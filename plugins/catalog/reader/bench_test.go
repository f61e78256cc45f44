package reader_test

import (
	"fmt"
	"math"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
	"github.com/portico-dev/portico/plugins/catalog/store/migrations"
)

// syntheticEntity returns entity i of a realistic mix: mostly components,
// then APIs, resources, groups and users, with owners, tags and relations.
func syntheticEntity(i int) string {
	types := []string{"service", "website", "library", "Service"}
	lifecycles := []string{"production", "experimental", "deprecated"}
	owner := fmt.Sprintf("team-%d", i%200)
	switch i % 10 {
	case 0, 1, 2, 3, 4, 5:
		return fmt.Sprintf(`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"component-%d","namespace":"default","title":"Component %d","description":"The component number %d of the synthetic catalog","tags":["go","tier-%d"],"annotations":{"backstage.io/managed-by-location":"url:https://example.com/r%d/catalog-info.yaml","backstage.io/managed-by-origin-location":"url:https://example.com/root.yaml"}},"spec":{"type":"%s","lifecycle":"%s","owner":"%s","system":"system-%d","providesApis":["api-%d"],"dependsOn":["component:default/component-%d"]},"relations":[{"type":"dependsOn","targetRef":"component:default/component-%d"},{"type":"ownedBy","targetRef":"group:default/%s"},{"type":"partOf","targetRef":"system:default/system-%d"},{"type":"providesApi","targetRef":"api:default/api-%d"}]}`,
			i, i, i, i%3, i, types[i%4], lifecycles[i%3], owner, i%300, i+6, i+1, i+1, owner, i%300, i+6)
	case 6, 7:
		return fmt.Sprintf(`{"apiVersion":"backstage.io/v1alpha1","kind":"API","metadata":{"name":"api-%d","namespace":"default"},"spec":{"type":"openapi","lifecycle":"%s","owner":"%s","definition":"openapi: 3.0.0"},"relations":[{"type":"ownedBy","targetRef":"group:default/%s"}]}`,
			i, lifecycles[i%3], owner, owner)
	case 8:
		return fmt.Sprintf(`{"apiVersion":"backstage.io/v1alpha1","kind":"Resource","metadata":{"name":"resource-%d","namespace":"default"},"spec":{"type":"database","owner":"%s"},"relations":[{"type":"ownedBy","targetRef":"group:default/%s"}]}`,
			i, owner, owner)
	default:
		return fmt.Sprintf(`{"apiVersion":"backstage.io/v1alpha1","kind":"User","metadata":{"name":"user-%d","namespace":"default"},"spec":{"profile":{"displayName":"User Number %d","email":"user%d@example.com"},"memberOf":["%s"]},"relations":[{"type":"memberOf","targetRef":"group:default/%s"}]}`,
			i, i, i, owner, owner)
	}
}

// loadBench fills db with a catalog of N synthetic entities.
func loadBench(b *testing.B, db *database.DB) *reader.Reader {
	b.Helper()
	if err := db.Migrate(b.Context(), migrations.FS); err != nil {
		b.Fatal(err)
	}
	n := readertest.BenchEntities(b)
	s := readertest.Seeder{DB: db}
	const batch = 2000
	for start := 0; start < n; start += batch {
		var es []string
		for i := start; i < min(start+batch, n); i++ {
			es = append(es, syntheticEntity(i))
		}
		if _, err := s.Entities(b.Context(), es...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ExecContext(b.Context(), "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	if path := os.Getenv("PORTICO_BENCH_DUMP"); path != "" && !db.Dialect.IsPostgres() {
		// A copy of the loaded catalog, for EXPLAIN QUERY PLAN sessions.
		if _, err := db.ExecContext(b.Context(), "VACUUM INTO ?", path); err != nil {
			b.Fatal(err)
		}
	}
	return reader.New(db)
}

// BenchmarkReader runs the read queries of issue 3 on a catalog of
// PORTICO_BENCH_ENTITIES entities, on SQLite (file-backed) and on
// PostgreSQL when PORTICO_TEST_POSTGRES_URL is set. Besides ns/op it
// reports the median and 99th percentile latency (p50-ms, p99-ms).
func BenchmarkReader(b *testing.B) {
	dialects := []struct {
		name string
		open func(testing.TB, string) *database.DB
	}{
		{"sqlite", databasetest.OpenSQLite},
		{"postgres", databasetest.OpenPostgres},
	}
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			if d.name == "postgres" && os.Getenv(databasetest.EnvPostgresURL) == "" {
				b.Skipf("%s not set", databasetest.EnvPostgresURL)
			}
			benchReader(b, loadBench(b, d.open(b, "catalogbench")))
		})
	}
}

func benchReader(b *testing.B, r *reader.Reader) {
	n := readertest.BenchEntities(b)
	kindComponent := func(b *testing.B) *query.Expr {
		f, err := query.ParseFilters([]string{"kind=component"})
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	byName := []query.OrderField{{Field: "metadata.name"}}
	cases := []struct {
		name string
		run  func(b *testing.B, r *reader.Reader, i int) error
	}{
		{"by-name", func(b *testing.B, r *reader.Reader, i int) error {
			_, err := r.ByRef(b.Context(), fmt.Sprintf("component:default/component-%d", (i*10)%n))
			return err
		}},
		{"by-query kind=component limit=100", func(b *testing.B, r *reader.Reader, _ int) error {
			_, err := r.Query(b.Context(), reader.QueryRequest{Filter: kindComponent(b), Limit: 100})
			return err
		}},
		{"by-query limit=100 orderField=metadata.name,asc", func(b *testing.B, r *reader.Reader, _ int) error {
			_, err := r.Query(b.Context(), reader.QueryRequest{Limit: 100, Order: byName})
			return err
		}},
		{"by-query kind=component limit=100 orderField=metadata.name,asc", func(b *testing.B, r *reader.Reader, _ int) error {
			_, err := r.Query(b.Context(), reader.QueryRequest{Filter: kindComponent(b), Limit: 100, Order: byName})
			return err
		}},
		{"by-query kind=component limit=100 orderField=metadata.name,desc next page", func(b *testing.B, r *reader.Reader, _ int) error {
			first, err := r.Query(b.Context(), reader.QueryRequest{Filter: kindComponent(b), Limit: 100, Order: []query.OrderField{{Field: "metadata.name", Desc: true}}})
			if err != nil {
				return err
			}
			_, err = r.Query(b.Context(), reader.QueryRequest{Cursor: first.NextCursor, Limit: 100})
			return err
		}},
		{"entities order=asc:metadata.name limit=100", func(b *testing.B, r *reader.Reader, _ int) error {
			_, err := r.List(b.Context(), reader.ListRequest{Limit: 100, Order: byName})
			return err
		}},
		{"facets spec.type", func(b *testing.B, r *reader.Reader, _ int) error {
			_, err := r.Facets(b.Context(), []string{"spec.type"}, nil)
			return err
		}},
		{"facets spec.type filter=kind=component", func(b *testing.B, r *reader.Reader, _ int) error {
			_, err := r.Facets(b.Context(), []string{"spec.type"}, kindComponent(b))
			return err
		}},
		{"full-text", func(b *testing.B, r *reader.Reader, i int) error {
			_, err := r.Query(b.Context(), reader.QueryRequest{FullText: &query.FullText{Term: fmt.Sprintf("nent-%d", i%1000)}, Limit: 20})
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var took []time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if err := c.run(b, r, i); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(percentile(took, 0.50), "p50-ms")
			b.ReportMetric(percentile(took, 0.99), "p99-ms")
		})
	}
}

// percentile returns the q-quantile of sorted durations in milliseconds.
func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return float64(sorted[max(i, 0)].Microseconds()) / 1000
}
