// Package frameworktest starts a real backend on a loopback port for plugin tests: real
// config, real SQLite (or PostgreSQL when asked), real HTTP.
package frameworktest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
)

// Backend is a running backend.
type Backend struct {
	*framework.Backend
	// URL is the backend's base URL, e.g. http://127.0.0.1:41234.
	URL string
	// Token is a static external-access token the backend accepts (subject
	// "external:frameworktest"), for tests calling its API.
	Token string
}

// TokenSubject is the subject of Backend.Token's principal, without the "external:" prefix.
const TokenSubject = "frameworktest"

// Client returns an HTTP client that sends Backend.Token as a bearer token on every request
// that carries no Authorization header of its own.
func (b *Backend) Client() *http.Client {
	return &http.Client{Transport: bearerTransport{token: b.Token, next: http.DefaultTransport}}
}

// Do sends req with Backend.Token (unless req sets Authorization itself).
func (b *Backend) Do(req *http.Request) (*http.Response, error) {
	return b.Client().Do(req)
}

// Get is http.Get with Backend.Token.
func (b *Backend) Get(url string) (*http.Response, error) {
	return b.Client().Get(url)
}

// bearerTransport adds a bearer token to requests without an Authorization header.
type bearerTransport struct {
	token string
	next  http.RoundTripper
}

func (t bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.next.RoundTrip(r)
}

// Start runs a backend with the given config (merged over test defaults: a temp working
// directory, an in-memory SQLite database unless cfg sets backend.database, and a static
// external-access token, Backend.Token, appended to backend.auth.externalAccess) until the test
// ends. It fails the test if the backend does not become ready.
func Start(t testing.TB, cfg map[string]any, features ...framework.Feature) *Backend {
	t.Helper()
	return StartWithLogs(t, cfg, nil, features...)
}

// StartWithLogs is Start that also writes the backend's log records (warnings and errors, as
// slog text lines) to logs, for a test that asserts what start-up warns about. logs may be nil.
func StartWithLogs(t testing.TB, cfg map[string]any, logs io.Writer, features ...framework.Feature) *Backend {
	t.Helper()
	if cfg == nil {
		cfg = map[string]any{}
	}
	backendCfg, _ := cfg["backend"].(map[string]any)
	if backendCfg == nil {
		backendCfg = map[string]any{}
		cfg["backend"] = backendCfg
	}
	if _, ok := backendCfg["workingDirectory"]; !ok {
		backendCfg["workingDirectory"] = t.TempDir()
	}
	if _, ok := backendCfg["database"]; !ok {
		backendCfg["database"] = map[string]any{"client": "better-sqlite3", "connection": ":memory:"}
	}
	token := randomToken(t)
	authCfg, _ := backendCfg["auth"].(map[string]any)
	if authCfg == nil {
		authCfg = map[string]any{}
		backendCfg["auth"] = authCfg
	}
	var access []any
	switch v := authCfg["externalAccess"].(type) {
	case []any:
		access = v
	case []map[string]any:
		for _, e := range v {
			access = append(access, e)
		}
	}
	authCfg["externalAccess"] = append(append([]any(nil), access...), map[string]any{
		"type":    "static",
		"options": map[string]any{"token": token, "subject": TokenSubject},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	if _, ok := backendCfg["baseUrl"]; !ok {
		backendCfg["baseUrl"] = url
	}
	var w io.Writer = testWriter{t}
	if logs != nil {
		w = io.MultiWriter(w, logs)
	}
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b := framework.New(framework.Options{Config: config.FromMap(cfg, "test"), Listener: ln, Logger: logger, Version: "test"})
	b.Add(features...)
	RunUntilReady(t, url, b.Run)
	return &Backend{Backend: b, URL: url, Token: token}
}

// RunUntilReady runs a backend (run, until its context is cancelled) in the background and
// returns once url's readiness probe answers 200, failing the test if it stops first or is not
// ready within 30 s. When the test ends, the backend is stopped and must return nil or
// context.Canceled within 30 s.
func RunUntilReady(t testing.TB, url string, run func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("backend stopped with error: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("backend did not stop within 30s")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("backend failed to start: %v", err)
		default:
		}
		resp, err := http.Get(url + "/.backstage/health/v1/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("backend did not become ready within 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func randomToken(t testing.TB) string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "frameworktest-" + hex.EncodeToString(b)
}

// testWriter sends backend logs to the test log, shown only for failing tests.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
