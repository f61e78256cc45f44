package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
)

// generateCatalog writes n entities (groups, users, systems, components, APIs, resources)
// into one multi-document file.
func generateCatalog(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	groups := max(1, n/50)
	systems := max(1, n/100)
	w := func(s string) {
		if _, err := f.WriteString(s); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		g := fmt.Sprintf("team-%d", i%groups)
		switch {
		case i < groups:
			w(fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-%d\n  description: Team number %d\nspec:\n  type: team\n  children: []\n---\n", i, i))
		case i < groups+systems:
			w(fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: system-%d\nspec:\n  owner: %s\n---\n", i, g))
		case i%5 == 0:
			w(fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: user-%d\nspec:\n  profile:\n    email: user-%d@example.com\n  memberOf: [%s]\n---\n", i, i, g))
		case i%5 == 1:
			w(fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-%d\nspec:\n  type: openapi\n  lifecycle: production\n  owner: %s\n  system: system-%d\n  definition: \"openapi: 3.0.0\"\n---\n", i, g, i%systems))
		case i%5 == 2:
			w(fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: db-%d\nspec:\n  type: database\n  owner: %s\n  system: system-%d\n---\n", i, g, i%systems))
		default:
			w(fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-%d\n  description: Service %d does things\n  tags: [go, backend]\n  annotations:\n    github.com/project-slug: acme/svc-%d\nspec:\n  type: service\n  lifecycle: production\n  owner: %s\n  system: system-%d\n  providesApis: [api-%d]\n  dependsOn: [resource:db-%d]\n---\n", i, i, i, g, i%systems, i-2+((i-2)%5+5)%5*0, i-1))
		}
	}
}

func benchEntities() int {
	if v, err := strconv.Atoi(os.Getenv("PORTICO_BENCH_ENTITIES")); err == nil && v > 0 {
		return v
	}
	return 10_000
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIngest ingests N generated entities (PORTICO_BENCH_ENTITIES, default 10000) from
// one file location into a fresh SQLite database (PostgreSQL too when configured), then runs
// a refresh cycle over the unchanged catalog.
func BenchmarkIngest(b *testing.B) {
	n := benchEntities()
	root := b.TempDir()
	file := filepath.Join(root, "catalog.yaml")
	generateCatalog(b, file, n)
	for _, db := range databasetest.Open(b, "catalogbench") {
		b.Run(fmt.Sprintf("%s/%d", db.Dialect.Name, n), func(b *testing.B) {
			migrate(b, db)
			for b.Loop() {
				clock := newClock()
				e := newEngine(b, db, clock, root, func(o *engine.Options) {
					o.Locations = []engine.ConfigLocation{{Type: "file", Target: file}}
				})
				start, cpu0 := time.Now(), cpuTime()
				if err := e.ProcessUntilIdle(b.Context()); err != nil {
					b.Fatal(err)
				}
				ingest, ingestCPU := time.Since(start), cpuTime()-cpu0
				got := count(b, db, "SELECT COUNT(*) FROM final_entities WHERE final_entity IS NOT NULL")
				if got != n+1 {
					b.Fatalf("stitched %d entities, want %d", got, n+1)
				}
				clock.Advance(engine.DefaultProcessingInterval * 2)
				start, cpu0 = time.Now(), cpuTime()
				if err := e.ProcessUntilIdle(b.Context()); err != nil {
					b.Fatal(err)
				}
				refresh, refreshCPU := time.Since(start), cpuTime()-cpu0
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(ingest.Seconds(), "ingest-s")
				b.ReportMetric(ingestCPU.Seconds(), "ingest-cpu-s")
				b.ReportMetric(refresh.Seconds(), "refresh-s")
				b.ReportMetric(refreshCPU.Seconds(), "refresh-cpu-s")
				b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
				st := e.Stats()
				b.Logf("%d entities: ingest %v (cpu %v), refresh %v (cpu %v), skipped %d, search rows %d",
					n, ingest.Round(time.Millisecond), ingestCPU.Round(time.Millisecond), refresh.Round(time.Millisecond),
					refreshCPU.Round(time.Millisecond), st.Skipped, count(b, db, "SELECT COUNT(*) FROM search"))
				if _, err := db.ExecContext(b.Context(), strings.Join([]string{
					"DELETE FROM refresh_state", "DELETE FROM refresh_state_references", "DELETE FROM relations",
					"DELETE FROM final_entities", "DELETE FROM search", "DELETE FROM refresh_keys",
				}, ";")); err != nil && db.Dialect.IsPostgres() {
					b.Fatal(err)
				}
			}
		})
	}
}
