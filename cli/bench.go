package cli

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/catalog/bench"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
)

// benchGenFlags are the flags every bench command shares: the generated catalog and where it
// goes.
type benchGenFlags struct {
	entities int
	seed     int64
	postgres string
	keep     bool
}

// register adds the flags to c; the texts say what this command does with the file and the
// database.
func (f *benchGenFlags) register(c *cobra.Command, entitiesHelp, postgresHelp, keepHelp string) {
	c.Flags().IntVar(&f.entities, "entities", 10000, entitiesHelp)
	c.Flags().Int64Var(&f.seed, "seed", 1, "generator seed (same seed, same catalog)")
	c.Flags().StringVar(&f.postgres, "postgres", "", postgresHelp)
	c.Flags().BoolVar(&f.keep, "keep", false, keepHelp)
}

type benchCatalogFlags struct {
	benchGenFlags
	queries int
	cpuprof string
}

func (a *app) benchCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Workload generator and load driver"}
	var f benchCatalogFlags
	c := &cobra.Command{
		Use:   "catalog",
		Short: "Generate a realistic catalog, ingest it into a fresh store and measure it",
		Long: `Generates a catalog of N entities (groups, users, domains, systems, components, APIs, resources
referring to each other), ingests it with the catalog engine into a fresh database, then reports
ingestion time, CPU and peak memory, the CPU cost of a refresh cycle over the unchanged catalog,
and query latencies (p50/p99) through the same reader the REST API uses.`,
		Example: `  portico bench catalog --entities 10000
  portico bench catalog --entities 100000 --queries 500
  portico bench catalog --entities 100000 --postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.benchCatalog(cmd.Context(), f) },
	}
	f.register(c, "number of entities to generate",
		"PostgreSQL URL; a fresh database is created (and dropped) on that server. Default: SQLite in a temp dir",
		"keep the generated files and database")
	c.Flags().IntVar(&f.queries, "queries", 200, "runs of each query for the latency figures")
	c.Flags().StringVar(&f.cpuprof, "cpuprofile", "", "write a CPU profile of the ingestion to this file (go tool pprof)")
	cmd.AddCommand(c, a.benchServeCommand())
	return cmd
}

// startCPUProfile starts a CPU profile written to path; the returned function stops it. An
// empty path profiles nothing.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// offsetClock lets the bench move time forward to make every entity due again.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func (a *app) benchCatalog(ctx context.Context, f benchCatalogFlags) error {
	out := a.env.Stdout
	work, err := os.MkdirTemp("", "portico-bench-")
	if err != nil {
		return err
	}
	if !f.keep {
		defer os.RemoveAll(work)
	}
	a.progress("generating %d entities… ", f.entities)
	cat, err := bench.Generate(f.entities, f.seed)
	if err != nil {
		return err
	}
	root, err := cat.WriteDir(ctx, work+"/catalog")
	if err != nil {
		return err
	}
	a.progress("done\n")

	dbOpts := database.Options{Client: database.ClientSQLite, Directory: work + "/db", EnsureExists: true}
	if f.postgres != "" {
		prefix := fmt.Sprintf("portico_bench_%d_", time.Now().UnixNano()%1_000_000)
		dbOpts = database.Options{Client: database.ClientPostgres, ConnString: f.postgres, EnsureExists: true, Prefix: prefix}
		if !f.keep {
			defer dropBenchDatabase(f.postgres, prefix+"catalog")
		}
	}
	mgr, err := database.NewManager(dbOpts, nil)
	if err != nil {
		return err
	}
	defer mgr.Close()
	db, err := framework.OpenPluginDatabase(ctx, mgr, catalog.Plugin())
	if err != nil {
		return err
	}
	urls, err := urlreader.New(urlreader.Options{LocalRoots: []string{work}})
	if err != nil {
		return err
	}
	clock := &offsetClock{}
	eng, err := engine.New(engine.Options{
		DB: db, Reader: urls, Clock: clock.now, Logger: slog.New(slog.DiscardHandler),
		Locations: []engine.ConfigLocation{{Type: "file", Target: root}},
		Rules: []engine.Rule{{Allow: []string{model.KindComponent, model.KindAPI, model.KindResource, model.KindSystem,
			model.KindDomain, model.KindGroup, model.KindUser, model.KindLocation, model.KindTemplate}}},
	})
	if err != nil {
		return err
	}

	a.progress("ingesting… ")
	stopProfile, err := startCPUProfile(f.cpuprof)
	if err != nil {
		return err
	}
	start, cpu0 := time.Now(), cpuTime()
	if err := eng.ProcessUntilIdle(ctx); err != nil {
		return err
	}
	stopProfile()
	ingest, ingestCPU := time.Since(start), cpuTime()-cpu0
	a.progress("done\n")
	var stitched int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM final_entities WHERE final_entity IS NOT NULL").Scan(&stitched); err != nil {
		return err
	}

	if db.Dialect.IsPostgres() {
		// Production servers run autovacuum, which sets the visibility map that index-only
		// scans (the filter counts) rely on and the statistics the planner uses; a bench
		// server may have it off (this one does), so do what it would have done by now.
		start := time.Now()
		if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE)"); err != nil {
			return fmt.Errorf("vacuum analyze: %w", err)
		}
		fmt.Fprintf(out, "vacuum analyze: %8.2f s wall  (after ingestion, as autovacuum would)\n", time.Since(start).Seconds())
	}
	a.progress("refresh cycle… ")
	clock.advance(2 * engine.DefaultProcessingInterval)
	start, cpu0 = time.Now(), cpuTime()
	if err := eng.ProcessUntilIdle(ctx); err != nil {
		return err
	}
	refresh, refreshCPU := time.Since(start), cpuTime()-cpu0
	a.progress("done\n")

	fmt.Fprintf(out, "catalog bench: %d entities generated, %d stitched, database %s\n", f.entities, stitched, db.Dialect.Name)
	fmt.Fprintf(out, "ingest+stitch:  %8.2f s wall  %8.2f s CPU  (%.0f entities/s)\n", ingest.Seconds(), ingestCPU.Seconds(), float64(stitched)/ingest.Seconds())
	fmt.Fprintf(out, "refresh cycle:  %8.2f s wall  %8.2f s CPU  (unchanged catalog)\n", refresh.Seconds(), refreshCPU.Seconds())
	fmt.Fprintf(out, "peak RSS:       %8.0f MB\n", peakRSSMB())

	rd := reader.New(db)
	refs := sampleRefs(cat, 1000)
	rng := rand.New(rand.NewPCG(uint64(f.seed), 7))
	kindComponent, err := query.ParseFilters([]string{"kind=component"})
	if err != nil {
		return err
	}
	queries := []struct {
		name string
		run  func() error
	}{
		{"by-name", func() error {
			_, err := rd.ByRef(ctx, refs[rng.IntN(len(refs))])
			return err
		}},
		{"by-query kind=component limit=100", func() error {
			_, err := rd.Query(ctx, reader.QueryRequest{Filter: kindComponent, Limit: 100})
			return err
		}},
		{"by-query kind=component order=metadata.name limit=100", func() error {
			_, err := rd.Query(ctx, reader.QueryRequest{Filter: kindComponent, Limit: 100, Order: []query.OrderField{{Field: "metadata.name"}}})
			return err
		}},
		{"entity-facets spec.type", func() error {
			_, err := rd.Facets(ctx, []string{"spec.type"}, nil)
			return err
		}},
		{"full-text 'pay' limit=20", func() error {
			_, err := rd.Query(ctx, reader.QueryRequest{FullText: &query.FullText{Term: "pay"}, Limit: 20})
			return err
		}},
	}
	fmt.Fprintf(out, "%-52s %10s %10s\n", "query (latency over "+strconv.Itoa(f.queries)+" runs)", "p50 ms", "p99 ms")
	for _, q := range queries {
		p50, p99, err := measure(f.queries, q.run)
		if err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		fmt.Fprintf(out, "%-52s %10.2f %10.2f\n", q.name, p50, p99)
	}
	if f.keep {
		fmt.Fprintf(out, "kept: %s\n", work)
	}
	return nil
}

func sampleRefs(cat *bench.Catalog, n int) []string {
	var refs []string
	i := 0
	for e := range cat.Entities() {
		if i%7 == 0 {
			refs = append(refs, e.Ref().String())
		}
		if len(refs) == n {
			break
		}
		i++
	}
	return refs
}

func measure(runs int, fn func() error) (p50, p99 float64, err error) {
	if runs < 1 {
		runs = 1
	}
	d := make([]float64, runs)
	for i := range d {
		t := time.Now()
		if err := fn(); err != nil {
			return 0, 0, err
		}
		d[i] = float64(time.Since(t).Microseconds()) / 1000
	}
	slices.Sort(d)
	return d[runs/2], d[min(runs-1, runs*99/100)], nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSMB is the process's peak resident set (VmHWM), falling back to Go's view.
func peakRSSMB() float64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
				return kb / 1024
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.Sys) / (1 << 20)
}

// dropBenchDatabase removes the database the bench created on a PostgreSQL server.
func dropBenchDatabase(url, name string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}
