package all_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/permission"
	"github.com/portico-dev/portico/plugins/scaffolder"
	"github.com/portico-dev/portico/web"
)

// The web UI is optional for these plugins: without a web registry they serve their API alone,
// but a web registry whose factory fails stops start-up with its error, never reading as "no
// web UI" (framework.UseOptional). The registry is a root service, which the backend builds
// before any plugin starts, so this held before UseOptional too; the test keeps it so.
func TestOptionalWebRegistry(t *testing.T) {
	plugins := []struct {
		name    string
		feature framework.Feature
	}{
		{"catalog", catalog.Plugin()},
		{"auth", auth.Plugin()},
		{"scaffolder", scaffolder.Plugin()},
		{"permission", permission.Plugin()},
	}
	failing := framework.NewServiceFactory(web.RegistryService, func(context.Context, *framework.Deps) (*web.Registry, error) {
		return nil, errors.New("web registry is broken")
	})
	for _, p := range plugins {
		t.Run(p.name+" without a web registry starts", func(t *testing.T) {
			frameworktest.Start(t, nil, p.feature)
		})
		t.Run(p.name+" with a failing web registry stops", func(t *testing.T) {
			err := runUntilFailure(t, failing, p.feature)
			if err == nil || !strings.Contains(err.Error(), "web registry is broken") || !strings.Contains(err.Error(), `"web.registry"`) {
				t.Fatalf("start-up error = %v, want the web registry's", err)
			}
		})
	}
}

// runUntilFailure runs a backend with features and returns its start-up error; a backend that
// starts (nil error) is stopped after its readiness or after 30 s.
func runUntilFailure(t *testing.T, features ...framework.Feature) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.FromMap(map[string]any{"backend": map[string]any{
		"baseUrl":          "http://" + ln.Addr().String(),
		"workingDirectory": t.TempDir(),
		"database":         map[string]any{"client": "better-sqlite3", "connection": ":memory:"},
	}}, "test")
	b := framework.New(framework.Options{Config: cfg, Listener: ln, Version: "test"})
	b.Add(features...)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	return b.Run(ctx)
}
