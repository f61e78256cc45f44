package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/logbuf"

	"github.com/jackc/pgx/v5"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

// lineBuffer collects JSON log output for assertions.
type lineBuffer struct{ logbuf.Buffer }

// lines returns the JSON log records written so far.
func (b *lineBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range b.Lines() {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// startLoggedBackend runs a backend with cfg, logging JSON at info level into logs.
func startLoggedBackend(t *testing.T, cfg map[string]any, logs io.Writer, features ...Feature) *testBackend {
	t.Helper()
	backendCfg := cfg["backend"].(map[string]any)
	backendCfg["auth"] = testAuthConfig
	if _, ok := backendCfg["workingDirectory"]; !ok {
		backendCfg["workingDirectory"] = t.TempDir()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	b := New(Options{Config: config.FromMap(cfg, "test"), Logger: logger, Listener: ln, Version: "test"})
	b.Add(features...)
	ctx, cancel := context.WithCancel(context.Background())
	tb := &testBackend{b: b, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { tb.done <- b.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for !b.health.Ready() {
		select {
		case err := <-tb.done:
			cancel()
			t.Fatalf("backend stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("backend did not become ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(func() { _ = tb.stop(t) })
	return tb
}

// rowsPlugin serves GET /rows from its database, reporting failures through apierr like every
// JSON API does, and hands its database to the test.
func rowsPlugin(got chan<- *database.DB) Plugin {
	return Plugin{
		ID: "rows",
		Register: func(r *PluginRegistrar) {
			r.RegisterInit(func(ctx context.Context, d *Deps) error {
				r := Resolve(ctx, d)
				db := Need(r, DatabaseService)
				log := Need(r, LoggerService)
				router := Need(r, HTTPRouterService)
				if err := r.Err(); err != nil {
					return err
				}
				router.HandleFunc("GET /rows", func(w http.ResponseWriter, r *http.Request) {
					var n int
					if err := db.QueryRowContext(r.Context(), "SELECT 1").Scan(&n); err != nil {
						apierr.Write(w, r, log, fmt.Errorf("count rows: %w", err))
						return
					}
					fmt.Fprint(w, n)
				})
				got <- db
				return nil
			})
		},
	}
}

// tcpProxy forwards connections to a server until stopped; stopping it is a database outage
// seen from the backend (established connections reset, new ones refused).
type tcpProxy struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			if !p.track(c, s) {
				return
			}
			go func() { _, _ = io.Copy(s, c); _ = s.Close() }()
			go func() { _, _ = io.Copy(c, s); _ = c.Close() }()
		}
	}()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range cs {
			_ = c.Close()
		}
		return false
	}
	p.conns = append(p.conns, cs...)
	return true
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	_ = p.ln.Close()
	for _, c := range p.conns {
		_ = c.Close()
	}
}

// TestDatabaseOutage performs the outage of issue 12: the database goes away under a running
// backend. Every request needing it must answer 503 with Backstage's error body, readiness
// must turn 503, and 1,000 failing requests must not write 1,000 (or 2,000) log lines.
func TestDatabaseOutage(t *testing.T) {
	type setup struct {
		database map[string]any
		// outage makes the database unreachable.
		outage func(db *database.DB)
	}
	backends := map[string]func(t *testing.T) setup{
		"sqlite: pool closed": func(t *testing.T) setup {
			return setup{
				database: map[string]any{"client": "better-sqlite3", "connection": map[string]any{"directory": t.TempDir()}},
				outage: func(db *database.DB) {
					if err := db.DB.Close(); err != nil {
						t.Fatal(err)
					}
				},
			}
		},
		"postgres: server gone": func(t *testing.T) setup {
			serverURL := os.Getenv(databasetest.EnvPostgresURL)
			if serverURL == "" {
				t.Skip(databasetest.EnvPostgresURL + " is not set: skipping PostgreSQL test")
			}
			cfg, err := pgx.ParseConfig(serverURL)
			if err != nil {
				t.Fatal(err)
			}
			proxy := startProxy(t, net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)))
			prefix := fmt.Sprintf("portico_outage_%d_", time.Now().UnixNano())
			t.Cleanup(func() {
				conn, err := pgx.Connect(context.Background(), serverURL)
				if err != nil {
					t.Errorf("drop test database: %v", err)
					return
				}
				defer conn.Close(context.Background())
				_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{prefix + "rows"}.Sanitize()+" WITH (FORCE)")
			})
			return setup{
				database: map[string]any{"client": "pg", "prefix": prefix, "connection": fmt.Sprintf(
					"postgres://%s@%s/%s?sslmode=disable&connect_timeout=5", cfg.User, proxy.ln.Addr(), cfg.Database)},
				outage: func(*database.DB) { proxy.stop() },
			}
		},
	}
	for name, mk := range backends {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			logs := &lineBuffer{}
			dbs := make(chan *database.DB, 1)
			tb := startLoggedBackend(t, map[string]any{"backend": map[string]any{"database": s.database}}, logs, rowsPlugin(dbs))
			db := <-dbs
			get := func(path string) (int, []byte) {
				t.Helper()
				resp, err := testClient.Get(tb.url + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, body
			}
			if code, body := get("/api/rows/rows"); code != http.StatusOK {
				t.Fatalf("before the outage: %d %s", code, body)
			}
			if code, body := get("/.backstage/health/v1/readiness"); code != http.StatusOK {
				t.Fatalf("readiness before the outage: %d %s", code, body)
			}

			s.outage(db)

			t.Run("readiness turns 503", func(t *testing.T) {
				deadline := time.Now().Add(20 * time.Second) // the result is cached 2 s
				for {
					code, body := get("/.backstage/health/v1/readiness")
					if code == http.StatusServiceUnavailable {
						var got map[string]string
						if err := json.Unmarshal(body, &got); err != nil || got["status"] != "error" ||
							!strings.Contains(got["message"], "database of plugin rows is unavailable") {
							t.Errorf("readiness body = %s, want Backstage's {status: error, message} naming the database", body)
						}
						if strings.Contains(string(body), "postgres://") || strings.Contains(string(body), "127.0.0.1") {
							t.Errorf("readiness body shows connection details: %s", body)
						}
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("readiness still %d %s during the outage", code, body)
					}
					time.Sleep(50 * time.Millisecond)
				}
			})

			t.Run("1,000 requests answer 503 and log a bounded number of lines", func(t *testing.T) {
				before := len(logs.lines(t))
				start := time.Now()
				const n = 1000
				for i := range n {
					code, body := get("/api/rows/rows")
					if code != http.StatusServiceUnavailable {
						t.Fatalf("request %d: status %d %s, want 503", i, code, body)
					}
					if i == 0 {
						var got apierr.Body
						if err := json.Unmarshal(body, &got); err != nil {
							t.Fatalf("body %s: %v", body, err)
						}
						want := apierr.Body{
							Error:    apierr.BodyError{Name: "ServiceUnavailableError", Message: apierr.UnavailableMessage},
							Request:  apierr.BodyRequest{Method: "GET", URL: "/api/rows/rows"},
							Response: apierr.BodyResponse{StatusCode: 503},
						}
						if got != want {
							t.Errorf("body = %+v, want %+v", got, want)
						}
					}
				}
				elapsed := time.Since(start)
				lines := logs.lines(t)[before:]
				// One line per throttle window (and per kind: only this plugin's database
				// fails), plus slack for a window boundary.
				bound := 2 + 2*int(elapsed/failureLogWindow)
				if len(lines) > bound {
					t.Errorf("%d failing requests in %s wrote %d log lines, want at most %d; first: %v", n, elapsed, len(lines), bound, lines[:min(3, len(lines))])
				}
				var failed int
				for _, l := range lines {
					if l["msg"] == "request failed" {
						failed++
						if l["status"] != float64(503) || !strings.Contains(fmt.Sprint(l["err"]), "count rows") {
							t.Errorf("failure line = %v, want status 503 and the error", l)
						}
					}
				}
				if failed == 0 {
					t.Errorf("no line reports the failure: %v", lines)
				}
			})
		})
	}
}

// TestReadinessLowDisk: readiness reports not-ready while the disk of an SQLite database has
// less room than backend.health.minFreeDiskMegabytes (a full disk fails every SQLite write
// while pings still succeed). No test can fill the machine's disk, so the threshold is raised
// above any real disk's free space instead.
func TestReadinessLowDisk(t *testing.T) {
	tests := []struct {
		name     string
		minFree  any
		wantCode int
	}{
		{"enough room", 1, http.StatusOK},
		{"check off", 0, http.StatusOK},
		{"less room than required", 1 << 40, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbs := make(chan *database.DB, 1)
			tb := startLoggedBackend(t, map[string]any{"backend": map[string]any{
				"database": map[string]any{"client": "better-sqlite3", "connection": map[string]any{"directory": t.TempDir()}},
				"health":   map[string]any{"minFreeDiskMegabytes": tt.minFree},
			}}, io.Discard, rowsPlugin(dbs))
			<-dbs
			resp, err := testClient.Get(tb.url + "/.backstage/health/v1/readiness")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("readiness = %d %s, want %d", resp.StatusCode, body, tt.wantCode)
			}
			if tt.wantCode != http.StatusOK && !strings.Contains(string(body), "disk of the database of plugin rows is full") {
				t.Errorf("readiness body = %s, want the full disk named", body)
			}
		})
	}
}
