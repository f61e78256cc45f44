package scaffolder_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/scaffolder"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

// harness starts and stops real backends (catalog + scaffolder) on one database.
type harness struct {
	t      *testing.T
	dbCfg  map[string]any
	dir    string // a local root; backend.workingDirectory is its "data" folder (never readable)
	extra  map[string]any
	rec    *recorder
	waits  *waitGate
	others []framework.Feature
	// allowHosts are added to backend.reading.allow (e.g. a loopback git server).
	allowHosts []string
	// access are more backend.auth.externalAccess entries.
	access []any
}

// testToken is a static external-access token every test request carries.
const testToken = "scaffolder-test-token-0123456789abcdef"

// authed is an HTTP client sending testToken.
var authed = &http.Client{Transport: bearer{http.DefaultTransport}}

type bearer struct{ next http.RoundTripper }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") == "" {
		token := testToken
		if t, ok := r.Context().Value(tokenKey{}).(string); ok {
			token = t
		}
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return b.next.RoundTrip(r)
}

// backend is one running backend.
type backend struct {
	URL  string
	stop func()
}

func databaseConfig(opts database.Options) map[string]any {
	if opts.Client == database.ClientPostgres {
		return map[string]any{"client": "pg", "connection": opts.ConnString, "prefix": opts.Prefix, "ensureExists": true}
	}
	return map[string]any{"client": "better-sqlite3", "connection": map[string]any{"directory": opts.Directory}}
}

// forEachDatabase runs body on SQLite and, when PORTICO_TEST_POSTGRES_URL is set, PostgreSQL.
func forEachDatabase(t *testing.T, body func(t *testing.T, h *harness)) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		body(t, newHarness(t, opts))
	})
}

// onSQLite runs body once, over SQLite, for tests of behaviour that does not depend on the
// database (pages, response shapes, permission checks); the store's behaviour on both
// dialects is covered by the forEachDatabase tests.
func onSQLite(t *testing.T, body func(t *testing.T, h *harness)) {
	body(t, newHarness(t, databasetest.SQLiteOptions(t)))
}

func newHarness(t *testing.T, opts database.Options) *harness {
	return &harness{t: t, dbCfg: databaseConfig(opts), dir: t.TempDir(), rec: &recorder{}, waits: newWaitGate()}
}

func testdata(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs a backend until stop is called (or the test ends).
func (h *harness) start(locations ...string) *backend {
	t := h.t
	t.Helper()
	var locs []any
	for _, l := range locations {
		locs = append(locs, map[string]any{"type": "file", "target": l})
	}
	cfg := map[string]any{
		"backend": map[string]any{
			"workingDirectory": filepath.Join(h.dir, "data"),
			"database":         h.dbCfg,
			"reading":          map[string]any{"localRoots": []any{testdata(t, "."), h.dir}},
			"auth": map[string]any{"externalAccess": append([]any{map[string]any{
				"type": "static", "options": map[string]any{"token": testToken, "subject": "tests"},
			}}, h.access...)},
		},
		"catalog": map[string]any{
			"locations": locs,
			"rules":     []any{map[string]any{"allow": []any{"Template", "Component", "Group", "User", "Location", "System", "API", "Resource"}}},
		},
		"scaffolder": map[string]any{"taskLease": "3s", "secretsKey": "a-test-key-of-enough-length"},
	}
	for k, v := range h.extra {
		cfg[k] = v
	}
	var allow []any
	for _, host := range h.allowHosts {
		allow = append(allow, map[string]any{"host": host})
	}
	if allow != nil {
		cfg["backend"].(map[string]any)["reading"].(map[string]any)["allow"] = allow
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	cfg["backend"].(map[string]any)["baseUrl"] = url
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b := framework.New(framework.Options{Config: config.FromMap(cfg, "test"), Listener: ln, Logger: logger, Version: "test"})
	b.Add(append([]framework.Feature{catalog.Plugin(), scaffolder.Plugin(), testActions(h.rec, h.waits)}, h.others...)...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("backend stopped with error: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Error("backend did not stop within 30s")
			}
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("backend failed to start: %v", err)
		default:
		}
		resp, err := http.Get(url + "/.backstage/health/v1/readiness")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return &backend{URL: url, stop: stop}
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("backend did not become ready within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// do sends a JSON request and decodes the JSON answer into out (when non-nil).
func do(t *testing.T, method, url string, body any, out any) int {
	t.Helper()
	req := frameworktest.JSONRequest(t, method, url, body)
	req.Header.Set("Content-Type", "application/json")
	resp, data := frameworktest.Send(t, authed, req)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal([]byte(data), out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, data, err)
		}
	}
	return resp.StatusCode
}

// waitUntil polls cond (bounded: frameworktest.Eventually).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	frameworktest.Eventually(t, func() (bool, string) { return cond(), "waiting for " + what }, nil)
}

// waitForEntity waits until the catalog serves the entity.
func waitForEntity(t *testing.T, base, kind, ns, name string) {
	t.Helper()
	waitUntil(t, kind+" "+name+" in the catalog", func() bool {
		return do(t, "GET", fmt.Sprintf("%s/api/catalog/entities/by-name/%s/%s/%s", base, kind, ns, name), nil, nil) == http.StatusOK
	})
}

type taskJSON struct {
	ID        string          `json:"id"`
	Status    string          `json:"status"`
	CreatedBy string          `json:"createdBy"`
	Spec      json.RawMessage `json:"spec"`
}

// waitForStatus waits until the task reaches one of the statuses and returns it.
func waitForStatus(t *testing.T, base, id string, statuses ...string) taskJSON {
	t.Helper()
	var task taskJSON
	waitUntil(t, "task "+id+" to reach "+strings.Join(statuses, "|"), func() bool {
		do(t, "GET", base+"/api/scaffolder/v2/tasks/"+id, nil, &task)
		return slices.Contains(statuses, task.Status)
	})
	return task
}

// runTask creates a task with body (POST /v2/tasks), waits until it completes or fails and
// returns it with its events; a task that does not complete fails the test.
func runTask(t *testing.T, base string, body any) (taskJSON, []eventJSON) {
	t.Helper()
	var created map[string]string
	if code := do(t, "POST", base+"/api/scaffolder/v2/tasks", body, &created); code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, created)
	}
	task := waitForStatus(t, base, created["id"], "completed", "failed")
	evs := events(t, base, created["id"])
	if task.Status != "completed" {
		t.Fatalf("task %s; events: %+v", task.Status, evs)
	}
	return task, evs
}

type eventJSON struct {
	ID     int64          `json:"id"`
	TaskID string         `json:"taskId"`
	Type   string         `json:"type"`
	Body   map[string]any `json:"body"`
}

func events(t *testing.T, base, id string) []eventJSON {
	t.Helper()
	var evs []eventJSON
	if code := do(t, "GET", base+"/api/scaffolder/v2/tasks/"+id+"/events", nil, &evs); code != http.StatusOK {
		t.Fatalf("events: %d", code)
	}
	return evs
}

// recorder notes what the test actions did.
type recorder = frameworktest.Recorder

// waitGate makes test:wait block until released (or its context ends); it counts entries.
type waitGate struct {
	mu      sync.Mutex
	entered int
	release chan struct{}
}

func newWaitGate() *waitGate { return &waitGate{release: make(chan struct{})} }

func (g *waitGate) Entered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.entered
}

// Open lets every current and future test:wait finish.
func (g *waitGate) Open() { close(g.release) }

type fnAction struct {
	id, input string
	handle    func(ctx context.Context, c *action.Context) error
}

func (a fnAction) ID() string          { return a.id }
func (a fnAction) Description() string { return "test action" }
func (a fnAction) Schema() action.Schema {
	return action.Schema{Input: json.RawMessage(a.input), Output: json.RawMessage(`{"type":"object"}`)}
}
func (a fnAction) Handle(ctx context.Context, c *action.Context) error { return a.handle(ctx, c) }
func (a fnAction) SupportsDryRun() bool                                { return true }

// testActions is a scaffolder module adding test:echo and test:wait.
func testActions(rec *recorder, gate *waitGate) framework.Module {
	return framework.ExtensionModule("scaffolder", "test-actions", scaffolder.ActionsExtensionPoint, func(ctx context.Context, d *framework.Deps, reg *action.Registry) error {
		if err := reg.Add(fnAction{id: "test:echo", input: `{"type":"object","properties":{"value":{"type":"string"}}}`,
			handle: func(_ context.Context, c *action.Context) error {
				v, _ := c.Input["value"].(string)
				c.Logger.Info("echo " + v)
				c.Output("value", v)
				rec.Add("echo:" + v)
				return nil
			}}); err != nil {
			return err
		}
		// test:outputs sets outputs in an order of its own, an object among them.
		if err := reg.Add(fnAction{id: "test:outputs", input: `{"type":"object"}`,
			handle: func(_ context.Context, c *action.Context) error {
				nested := jsvalue.NewObject(2)
				nested.Set("b", 1.0)
				nested.Set("a", 2.0)
				c.Output("zeta", "z")
				c.Output("10", 10.0)
				c.Output("alpha", nested)
				c.Output("2", true)
				return nil
			}}); err != nil {
			return err
		}
		return reg.Add(fnAction{id: "test:wait", input: `{"type":"object","properties":{"label":{"type":"string"}}}`,
			handle: func(ctx context.Context, c *action.Context) error {
				gate.mu.Lock()
				gate.entered++
				gate.mu.Unlock()
				rec.Add(fmt.Sprint("wait:", c.Input["label"]))
				select {
				case <-gate.release:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}})
	})
}
