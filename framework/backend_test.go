package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
)

// testBackend runs a backend on a loopback port until the test ends.
type testBackend struct {
	b      *Backend
	url    string
	cancel context.CancelFunc
	done   chan error
}

func startBackend(t *testing.T, cfg map[string]any, features ...Feature) *testBackend {
	t.Helper()
	tb, err := tryStartBackend(t, cfg, features...)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func tryStartBackend(t *testing.T, cfg map[string]any, features ...Feature) (*testBackend, error) {
	t.Helper()
	if cfg == nil {
		cfg = map[string]any{}
	}
	if _, ok := cfg["backend"]; !ok {
		cfg["backend"] = map[string]any{}
	}
	backendCfg := cfg["backend"].(map[string]any)
	backendCfg["workingDirectory"] = t.TempDir()
	if _, ok := backendCfg["database"]; !ok {
		backendCfg["database"] = map[string]any{"client": "better-sqlite3", "connection": ":memory:"}
	}
	if _, ok := backendCfg["auth"]; !ok {
		backendCfg["auth"] = testAuthConfig
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := New(Options{Config: config.FromMap(cfg, "test"), Listener: ln, Version: "test"})
	b.Add(features...)
	ctx, cancel := context.WithCancel(context.Background())
	tb := &testBackend{b: b, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { tb.done <- b.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-tb.done:
			cancel()
			return nil, err
		default:
		}
		if b.health.Ready() {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("backend did not become ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(func() { tb.stop(t) })
	return tb, nil
}

func (tb *testBackend) stop(t *testing.T) error {
	t.Helper()
	tb.cancel()
	select {
	case err := <-tb.done:
		tb.done <- err // keep it for a second caller
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("backend did not stop")
		return nil
	}
}

// testToken is a static external-access token the test backends accept; testClient sends it.
const testToken = "framework-test-static-token"

var testAuthConfig = map[string]any{"externalAccess": []any{map[string]any{
	"type": "static", "options": map[string]any{"token": testToken, "subject": "framework-test"},
}}}

var testClient = &http.Client{Transport: bearerTransport{}}

type bearerTransport struct{}

func (bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+testToken)
	return http.DefaultTransport.RoundTrip(r)
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// echoPoint is an extension point for the tests: modules add words, the plugin serves them.
type echoPoint struct{ words []string }

func (e *echoPoint) Add(w string) { e.words = append(e.words, w) }

var echoExtension = NewExtensionPointRef[*echoPoint]("echo.words")

func echoPlugin(events *[]string, mu *sync.Mutex) Plugin {
	record := func(s string) {
		mu.Lock()
		*events = append(*events, s)
		mu.Unlock()
	}
	return Plugin{
		ID: "echo",
		Register: func(r *PluginRegistrar) {
			ep := &echoPoint{}
			ProvideExtensionPoint(r, echoExtension, ep)
			r.RegisterInit(func(ctx context.Context, d *Deps) error {
				r := Resolve(ctx, d)
				router := Need(r, HTTPRouterService)
				lc := Need(r, LifecycleService)
				if err := r.Err(); err != nil {
					return err
				}
				record("plugin init with " + strings.Join(ep.words, ","))
				lc.AddStartupHook(func(context.Context) error { record("plugin startup"); return nil })
				lc.AddShutdownHook(func(context.Context) error { record("plugin shutdown"); return nil })
				lc.Go("ticker", func(ctx context.Context) error { <-ctx.Done(); record("runner stopped"); return ctx.Err() })
				router.HandleFunc("GET /words/{n}", func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprintf(w, "%s:%s", r.PathValue("n"), strings.Join(ep.words, ","))
				})
				router.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
				return nil
			})
		},
	}
}

func echoModule(word string) Module {
	return Module{PluginID: "echo", ModuleID: "word-" + word, Register: func(r *ModuleRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *Deps) error {
			ep, err := UseExtensionPoint(d, echoExtension)
			if err != nil {
				return err
			}
			ep.Add(word)
			return nil
		})
	}}
}

func TestBackendLifecycle(t *testing.T) {
	var events []string
	var mu sync.Mutex
	rootLC := func() ServiceFactory {
		// A root-level hook registered through a custom service, to check hook ordering.
		ref := NewServiceRef[string]("test.rootHook", ScopeRoot)
		return NewServiceFactory(ref, func(ctx context.Context, d *Deps) (string, error) {
			lc, err := Use(ctx, d, RootLifecycleService)
			if err != nil {
				return "", err
			}
			lc.AddShutdownHook(func(context.Context) error {
				mu.Lock()
				events = append(events, "root shutdown")
				mu.Unlock()
				return nil
			})
			return "ok", nil
		})
	}()
	tb := startBackend(t, nil, echoPlugin(&events, &mu), echoModule("hello"), echoModule("world"), rootLC)

	t.Run("modules extend plugin before its init", func(t *testing.T) {
		resp, body := get(t, tb.url+"/api/echo/words/7")
		if resp.StatusCode != 200 || body != "7:hello,world" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("health", func(t *testing.T) {
		for _, p := range []string{"/.backstage/health/v1/liveness", "/.backstage/health/v1/readiness", "/healthcheck"} {
			resp, body := get(t, tb.url+p)
			if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
				t.Errorf("%s: %d %q", p, resp.StatusCode, body)
			}
		}
	})
	t.Run("unknown route gets Backstage error body", func(t *testing.T) {
		resp, body := get(t, tb.url+"/api/echo/nope?x=1")
		want := `{"error":{"name":"NotFoundError","message":"Not found: GET /api/echo/nope?x=1"},"request":{"method":"GET","url":"/api/echo/nope?x=1"},"response":{"statusCode":404}}`
		if resp.StatusCode != 404 || strings.TrimSpace(body) != want {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		resp, body = get(t, tb.url+"/api/nosuchplugin/x")
		if resp.StatusCode != 404 || !strings.Contains(body, "No plugin 'nosuchplugin' is installed") {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("wrong method is 405 with error body", func(t *testing.T) {
		resp, err := testClient.Post(tb.url+"/api/echo/words/1", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&b)
		if resp.StatusCode != 405 || b["response"].(map[string]any)["statusCode"].(float64) != 405 {
			t.Fatalf("got %d %v", resp.StatusCode, b)
		}
	})
	t.Run("panics become 500 error body", func(t *testing.T) {
		resp, body := get(t, tb.url+"/api/echo/panic")
		if resp.StatusCode != 500 || !strings.Contains(body, `"name":"Error"`) || strings.Contains(body, "kaboom") {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("security headers and request id", func(t *testing.T) {
		resp, _ := get(t, tb.url+"/api/echo/words/1", "X-Request-Id", "abc-123")
		if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
			t.Errorf("request id %q", got)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "connect-src 'self' http: https:") {
			t.Errorf("csp %q", csp)
		}
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("missing %s", h)
			}
		}
		resp, _ = get(t, tb.url+"/api/echo/words/1")
		if len(resp.Header.Get("X-Request-Id")) != 36 {
			t.Errorf("generated request id %q", resp.Header.Get("X-Request-Id"))
		}
	})
	t.Run("metrics", func(t *testing.T) {
		_, body := get(t, tb.url+"/metrics")
		for _, want := range []string{`portico_http_requests_total{code="200",method="GET",plugin="echo"}`, "portico_build_info", "go_goroutines"} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
	t.Run("routes are listed", func(t *testing.T) {
		routes := tb.b.Routes()
		// The framework adds every plugin's auth routes (.backstage/auth/v1/…) to its own.
		var own []Route
		for _, r := range routes {
			if !strings.Contains(r.Pattern, "/.backstage/auth/") {
				own = append(own, r)
			}
		}
		if len(own) != 2 || own[0] != (Route{PluginID: "echo", Pattern: "GET /panic"}) {
			t.Fatalf("routes %v", routes)
		}
	})
	t.Run("shutdown order", func(t *testing.T) {
		if err := tb.stop(t); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		want := []string{"plugin init with hello,world", "plugin startup", "runner stopped", "plugin shutdown", "root shutdown"}
		if strings.Join(events, "|") != strings.Join(want, "|") {
			t.Fatalf("events %q, want %q", events, want)
		}
	})
}

func TestBackendStartupFailures(t *testing.T) {
	missing := NewServiceRef[string]("test.nothing", ScopePlugin)
	needsMissing := Plugin{ID: "needy", Register: func(r *PluginRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *Deps) error {
			_, err := Use(ctx, d, missing)
			return err
		})
	}}
	// An optional service whose factory fails stops start-up with the factory's error. It is
	// plugin-scoped: root services are all built before any plugin starts, so a failing root
	// factory stops start-up whoever asks for it.
	optional := NewServiceRef[string]("test.optional", ScopePlugin)
	usesOptional := Plugin{ID: "optional-user", Register: func(r *PluginRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *Deps) error {
			_, _, err := UseOptional(ctx, d, optional)
			return err
		})
	}}
	failingOptional := NewServiceFactory(optional, func(context.Context, *Deps) (string, error) {
		return "", errors.New("optional service is misconfigured")
	})
	tests := []struct {
		name     string
		features []Feature
		cfg      map[string]any
		want     string
	}{
		{"missing service names plugin and service", []Feature{needsMissing}, nil, `plugin "needy": service "test.nothing" has no factory`},
		{"failing optional service", []Feature{failingOptional, usesOptional}, nil, `create service "test.optional": optional service is misconfigured`},
		{"duplicate plugin", []Feature{Plugin{ID: "a"}, Plugin{ID: "a"}}, nil, `plugin "a" is installed twice`},
		{"bad plugin id", []Feature{Plugin{ID: "Bad_ID"}}, nil, `plugin ID "Bad_ID" is invalid`},
		{"module without plugin", []Feature{Module{PluginID: "ghost", ModuleID: "m"}}, nil, `module "ghost/m" extends plugin "ghost", which is not installed`},
		{"extension point missing", []Feature{Plugin{ID: "echo"}, echoModule("x")}, nil, `plugin provides no extension point "echo.words"`},
		{"bad listen", nil, map[string]any{"backend": map[string]any{"listen": "nonsense"}}, "backend.listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tryStartBackend(t, tt.cfg, tt.features...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// An optional service the backend has no factory for is skipped: start-up goes on.
func TestOptionalServiceAbsent(t *testing.T) {
	optional := NewServiceRef[string]("test.optional", ScopePlugin)
	var got struct {
		ok  bool
		err error
	}
	p := Plugin{ID: "optional-user", Register: func(r *PluginRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *Deps) error {
			_, got.ok, got.err = UseOptional(ctx, d, optional)
			return got.err
		})
	}}
	startBackend(t, nil, p)
	if got.ok || got.err != nil {
		t.Fatalf("UseOptional = ok %v, err %v; want absent", got.ok, got.err)
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	b := New(Options{Config: config.FromMap(map[string]any{"backend": map[string]any{
		"listen":           map[string]any{"host": "127.0.0.1", "port": port},
		"workingDirectory": t.TempDir(),
	}}, "test")})
	err = b.Run(t.Context())
	want := fmt.Sprintf("listen on 127.0.0.1:%d (backend.listen)", port)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestRequestsPauseUntilStarted(t *testing.T) {
	release := make(chan struct{})
	slow := Plugin{ID: "slow", Register: func(r *PluginRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *Deps) error {
			router, err := Use(ctx, d, HTTPRouterService)
			if err != nil {
				return err
			}
			router.HandleFunc("GET /ping", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "pong") })
			<-release
			return nil
		})
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := New(Options{Config: config.FromMap(map[string]any{"backend": map[string]any{
		"workingDirectory": t.TempDir(),
		"database":         map[string]any{"client": "sqlite", "connection": ":memory:"},
		"lifecycle":        map[string]any{"startupRequestPauseTimeout": "20s"},
		"auth":             testAuthConfig,
	}}, "test"), Listener: ln})
	b.Add(slow)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	url := "http://" + ln.Addr().String()

	// Readiness answers 503 while the plugin is still starting.
	var resp *http.Response
	for i := 0; i < 1000; i++ {
		resp, err = http.Get(url + "/.backstage/health/v1/readiness")
		if err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "Backend has not started yet") {
		t.Fatalf("readiness before start: %d %s", resp.StatusCode, body)
	}
	// An API request made now waits for the start instead of failing.
	got := make(chan string, 1)
	go func() {
		r, err := testClient.Get(url + "/api/slow/ping")
		if err != nil {
			got <- err.Error()
			return
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		got <- fmt.Sprintf("%d %s", r.StatusCode, b)
	}()
	close(release)
	if g := <-got; g != "200 pong" {
		t.Fatalf("paused request got %q", g)
	}
}

func TestRunnerFailureStopsBackend(t *testing.T) {
	boom := errors.New("engine exploded")
	p := Plugin{ID: "fragile", Register: func(r *PluginRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *Deps) error {
			lc, err := Use(ctx, d, LifecycleService)
			if err != nil {
				return err
			}
			lc.Go("engine", func(context.Context) error { return boom })
			return nil
		})
	}}
	b := New(Options{Config: config.FromMap(map[string]any{"backend": map[string]any{
		"workingDirectory": t.TempDir(), "listen": "127.0.0.1:0",
		"database": map[string]any{"client": "sqlite", "connection": ":memory:"},
	}}, "test")})
	b.Add(p)
	err := b.Run(t.Context())
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "plugin fragile: engine stopped") {
		t.Fatalf("err = %v", err)
	}
}

func TestCORS(t *testing.T) {
	tb := startBackend(t, map[string]any{"backend": map[string]any{"cors": map[string]any{
		"origin": []any{"http://localhost:3000", "https://*.example.com"}, "credentials": true, "maxAge": 600,
	}}}, Plugin{ID: "x"})
	tests := []struct {
		origin string
		allow  bool
	}{
		{"http://localhost:3000", true},
		{"https://dev.example.com", true},
		{"https://evil.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodOptions, tb.url+"/api/x/anything", nil)
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("Access-Control-Allow-Origin")
			if tt.allow {
				if got != tt.origin || resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Credentials") != "true" ||
					resp.Header.Get("Access-Control-Allow-Headers") != "authorization,content-type" || resp.Header.Get("Access-Control-Max-Age") != "600" {
					t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
				}
			} else if got != "" {
				t.Fatalf("disallowed origin got %q", got)
			}
		})
	}
}

func TestCSPOverrides(t *testing.T) {
	got := buildCSP(map[string][]string{"img-src": {"'self'", "https://cdn.example.com"}, "connect-src": nil})
	if !strings.Contains(got, "img-src 'self' https://cdn.example.com") || strings.Contains(got, "connect-src") {
		t.Fatalf("csp %q", got)
	}
}
