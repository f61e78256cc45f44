package framework

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portico-dev/portico/framework/scheduler"
)

//go:embed testdata/migrations
var testMigrations embed.FS

// greeterPlugin owns a table (through migrations), serves it, and schedules a global task.
func greeterPlugin(runs *atomic.Int32) Plugin {
	sub, _ := fs.Sub(testMigrations, "testdata/migrations")
	return Plugin{
		ID:         "greeter",
		Migrations: sub,
		Register: func(r *PluginRegistrar) {
			r.RegisterInit(func(ctx context.Context, d *Deps) error {
				r := Resolve(ctx, d)
				db := Need(r, DatabaseService)
				router := Need(r, HTTPRouterService)
				sched := Need(r, SchedulerService)
				if err := r.Err(); err != nil {
					return err
				}
				router.HandleFunc("PUT /greetings/{name}", func(w http.ResponseWriter, r *http.Request) {
					q := db.Dialect.Rebind("INSERT INTO greetings (name, greeted_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
					if _, err := db.ExecContext(r.Context(), q, r.PathValue("name"), time.Now().UTC()); err != nil {
						http.Error(w, err.Error(), 500)
						return
					}
					w.WriteHeader(http.StatusNoContent)
				})
				router.HandleFunc("GET /greetings", func(w http.ResponseWriter, r *http.Request) {
					var n int
					if err := db.QueryRowContext(r.Context(), "SELECT count(*) FROM greetings").Scan(&n); err != nil {
						http.Error(w, err.Error(), 500)
						return
					}
					fmt.Fprint(w, n)
				})
				return sched.Schedule(ctx, scheduler.TaskSpec{
					ID:        "count",
					Frequency: scheduler.Frequency{Every: time.Hour},
					Timeout:   time.Minute,
					Fn:        func(context.Context) error { runs.Add(1); return nil },
				})
			})
		},
	}
}

func TestPluginDatabaseAndScheduler(t *testing.T) {
	var runs atomic.Int32
	tb := startBackend(t, nil, greeterPlugin(&runs))
	req, _ := http.NewRequest(http.MethodPut, tb.url+"/api/greeter/greetings/ada", nil)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, body := get(t, tb.url+"/api/greeter/greetings")
	if body != "1" {
		t.Fatalf("count = %q", body)
	}
	_, body = get(t, tb.url+"/api/greeter/.backstage/scheduler/v1/tasks")
	if !strings.Contains(body, `"count"`) {
		t.Fatalf("tasks: %s", body)
	}
}

// TestTwoReplicasOnOnePostgres starts two backends on one PostgreSQL at the same time: both
// must start (migrations race under the advisory lock), share data, and run the scheduled task
// once between them.
func TestTwoReplicasOnOnePostgres(t *testing.T) {
	pgURL := os.Getenv("PORTICO_TEST_POSTGRES_URL")
	if pgURL == "" {
		t.Skip("PORTICO_TEST_POSTGRES_URL not set: PostgreSQL replica test skipped")
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	prefix := "portico_test_" + hex.EncodeToString(suffix) + "_"
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), pgURL)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+prefix+"greeter WITH (FORCE)")
	})
	cfg := func() map[string]any {
		return map[string]any{"backend": map[string]any{"database": map[string]any{
			"client": "pg", "connection": pgURL, "prefix": prefix,
		}}}
	}
	var runs atomic.Int32
	var wg sync.WaitGroup
	backends := make([]*testBackend, 2)
	errs := make([]error, 2)
	for i := range backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			backends[i], errs[i] = tryStartBackend(t, cfg(), greeterPlugin(&runs))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	// A write through one replica is visible through the other.
	req, _ := http.NewRequest(http.MethodPut, backends[0].url+"/api/greeter/greetings/grace", nil)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = testClient.Get(backends[1].url + "/api/greeter/greetings")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "1" {
		t.Fatalf("replica 2 sees %q greetings", b)
	}
	// The hourly task is due at once: exactly one replica runs it.
	deadline := time.Now().Add(20 * time.Second)
	for runs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // give a wrongly duplicated run the chance to show
	if got := runs.Load(); got != 1 {
		t.Fatalf("task ran %d times across two replicas, want 1", got)
	}
}
