package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/plugins/catalog/bench"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

type benchServeFlags struct {
	benchGenFlags
	settle  time.Duration
	timeout time.Duration
}

func (a *app) benchServeCommand() *cobra.Command {
	var f benchServeFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Measure `portico serve` ingesting one generated catalog file: peak RSS and time",
		Long: `Generates a catalog of N entities into ONE multi-document YAML file, writes an app-config whose
catalog.locations has a file location pointing at it, starts this binary's "serve" as a child process
with a fresh working directory, and polls the child's peak resident set (VmHWM in /proc) and the
catalog's entity count over the REST API until every generated entity is visible. It then keeps
watching for --settle (the UI's warmers and the search index run after ingestion) and prints the
figures. Unlike "bench catalog", this measures the whole served process: every plugin, the web UI,
the caches and the HTTP server.

The child inherits the environment, so GODEBUG=gctrace=1 or GOGC apply to it.`,
		Example: `  portico bench serve --entities 10000
  portico bench serve --entities 10000 --postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.benchServe(cmd.Context(), f) },
	}
	f.register(c, "number of entities to generate into the one file",
		"PostgreSQL URL the server uses (databases get a fresh prefix and are dropped). Default: SQLite in the working directory",
		"keep the generated file, config, server log and database")
	c.Flags().DurationVar(&f.settle, "settle", 3*time.Second, "how long to keep watching RSS after the last entity is visible")
	c.Flags().DurationVar(&f.timeout, "timeout", 10*time.Minute, "give up when ingestion takes longer")
	return c
}

// benchServeToken is the static external-access token the bench uses to count entities.
const benchServeToken = "portico-bench-serve-token"

func (a *app) benchServe(ctx context.Context, f benchServeFlags) error {
	out := a.env.Stdout
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench serve: find this binary: %w", err)
	}
	work, err := os.MkdirTemp("", "portico-bench-serve-")
	if err != nil {
		return err
	}
	if !f.keep {
		defer os.RemoveAll(work)
	}
	// The catalog file and the server's working directory are apart, as in a deployment: the
	// server reads the file through backend.reading.localRoots.
	catalogDir, dataDir := filepath.Join(work, "catalog"), filepath.Join(work, "data")
	for _, d := range []string{catalogDir, dataDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	a.progress("generating %d entities into one file… ", f.entities)
	cat, err := bench.Generate(f.entities, f.seed)
	if err != nil {
		return err
	}
	file, err := cat.WriteFile(ctx, filepath.Join(catalogDir, "entities.yaml"))
	if err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	a.progress("done\n")

	port, err := freePort()
	if err != nil {
		return err
	}
	pgURL := ""
	if f.postgres != "" {
		// One fresh database holds a schema per plugin; it is dropped afterwards.
		name := fmt.Sprintf("portico_bench_serve_%d", time.Now().UnixNano()%1_000_000)
		if pgURL, err = createBenchDatabase(ctx, f.postgres, name); err != nil {
			return err
		}
		if !f.keep {
			defer dropBenchDatabase(f.postgres, name)
		}
	}
	cfg := benchServeConfig(file, catalogDir, dataDir, port, pgURL)
	cfgPath := filepath.Join(work, "app-config.yaml")
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		return err
	}
	logPath := filepath.Join(work, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()

	runCtx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	cmd := exec.Command(self, "serve", "--config", cfgPath)
	cmd.Dir = dataDir
	cmd.Env = append(os.Environ(), "LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	a.progress("serving… ")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("bench serve: start %s: %w", self, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	failed := func(err error) error {
		return fmt.Errorf("bench serve: %w (server log: %s)", err, logPath)
	}

	base := "http://127.0.0.1:" + strconv.Itoa(port)
	client := &http.Client{Timeout: 10 * time.Second}
	var ready, ingested time.Duration
	var count int
	var peakIngest, cpu float64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var lastCount time.Time
	for ingested == 0 {
		select {
		case err := <-exited:
			f.keep = true
			return failed(fmt.Errorf("server exited before ingestion completed: %v", err))
		case <-runCtx.Done():
			stop()
			return failed(fmt.Errorf("%d of %d entities visible: %w", count, f.entities, runCtx.Err()))
		case <-tick.C:
		}
		peakIngest = max(peakIngest, procPeakRSSMB(cmd.Process.Pid))
		if ready == 0 {
			if resp, err := client.Get(base + "/.backstage/health/v1/readiness"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ready = time.Since(start)
				}
			}
			continue
		}
		if time.Since(lastCount) < 200*time.Millisecond {
			continue
		}
		lastCount = time.Now()
		if count, err = countGenerated(runCtx, client, base); err != nil {
			stop()
			return failed(err)
		}
		if count >= f.entities {
			ingested = time.Since(start)
			cpu = procCPUSeconds(cmd.Process.Pid)
		}
	}
	a.progress("done\n")
	peakSettled := peakIngest
	for end := time.Now().Add(f.settle); time.Now().Before(end); {
		<-tick.C
		peakSettled = max(peakSettled, procPeakRSSMB(cmd.Process.Pid))
	}
	rss := procRSSMB(cmd.Process.Pid)
	stop()

	database := "sqlite"
	if f.postgres != "" {
		database = "postgres"
	}
	fmt.Fprintf(out, "serve bench: %d entities in one file (%.1f MB), database %s\n", f.entities, float64(st.Size())/(1<<20), database)
	fmt.Fprintf(out, "ready:          %8.2f s after start\n", ready.Seconds())
	fmt.Fprintf(out, "ingested:       %8.2f s after start  %8.2f s CPU  (%d entities visible)\n", ingested.Seconds(), cpu, count)
	fmt.Fprintf(out, "peak RSS:       %8.0f MB during ingestion, %.0f MB after %s more (RSS then %.0f MB)\n", peakIngest, peakSettled, f.settle, rss)
	if f.keep {
		fmt.Fprintf(out, "kept: %s\n", work)
	}
	return nil
}

// benchServeConfig is the app-config of the served bench: one file location, the default
// rules widened to every generated kind, a static token to count entities with.
func benchServeConfig(file, catalogDir, dataDir string, port int, postgres string) map[string]any {
	backend := map[string]any{
		"listen":           map[string]any{"host": "127.0.0.1", "port": port},
		"baseUrl":          "http://127.0.0.1:" + strconv.Itoa(port),
		"workingDirectory": dataDir,
		"reading":          map[string]any{"localRoots": []any{catalogDir}},
		"auth": map[string]any{"externalAccess": []any{map[string]any{
			"type": "static", "options": map[string]any{"token": benchServeToken, "subject": "bench"},
		}}},
	}
	if postgres != "" {
		backend["database"] = map[string]any{"client": "pg", "connection": postgres, "pluginDivisionMode": "schema"}
	}
	return map[string]any{
		"app":     map[string]any{"baseUrl": "http://127.0.0.1:" + strconv.Itoa(port)},
		"backend": backend,
		"catalog": map[string]any{
			"rules": []any{map[string]any{"allow": []any{model.KindComponent, model.KindAPI, model.KindResource,
				model.KindSystem, model.KindDomain, model.KindGroup, model.KindUser, model.KindLocation, model.KindTemplate}}},
			"locations": []any{map[string]any{"type": "file", "target": file}},
		},
	}
}

// countGenerated returns how many entities of the generated kinds the catalog serves.
func countGenerated(ctx context.Context, client *http.Client, base string) (int, error) {
	q := url.Values{"limit": {"1"}, "fields": {"kind"}}
	for _, k := range []string{model.KindComponent, model.KindAPI, model.KindResource, model.KindSystem,
		model.KindDomain, model.KindGroup, model.KindUser} {
		q.Add("filter", "kind="+strings.ToLower(k))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/catalog/entities/by-query?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+benchServeToken)
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("count entities: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("count entities: %s", resp.Status)
	}
	var body struct {
		TotalItems int `json:"totalItems"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, fmt.Errorf("count entities: %w", err)
	}
	return body.TotalItems, nil
}

// createBenchDatabase creates database name on the server of url and returns a URL to it.
func createBenchDatabase(ctx context.Context, serverURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", fmt.Errorf("bench serve: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("bench serve: create database: %w", err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("bench serve: postgres URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// procStatusMB reads one "kB" field of /proc/<pid>/status in MB; 0 when unavailable.
func procStatusMB(pid int, field string) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func procPeakRSSMB(pid int) float64 { return procStatusMB(pid, "VmHWM") }
func procRSSMB(pid int) float64     { return procStatusMB(pid, "VmRSS") }

// procCPUSeconds is the user+system CPU time of a process (/proc/<pid>/stat, in clock ticks of
// 1/100 s, the value on every Linux platform Go supports).
func procCPUSeconds(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseFloat(fields[11], 64)
	st, err2 := strconv.ParseFloat(fields[12], 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0
	}
	return (ut + st) / 100
}
