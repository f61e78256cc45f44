package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// checkTimeout bounds the sandboxed start-up of `config check`.
const checkTimeout = 60 * time.Second

// unknownExtensions returns the app.extensions entries of cfg that name no extension the
// installed plugins contribute, the list serve warns about. The plugins contribute their
// extensions while they initialise, so every plugin is initialised as serve does, in a
// sandbox: an in-memory database, a temporary working directory, a loopback listener on a
// free port and no catalog locations; it stops as soon as it is ready. An error is a reason
// serve would refuse to start (or the sandbox could not be made).
func (a *app) unknownExtensions(ctx context.Context, cfg *config.Config) ([]extension.Unknown, error) {
	if !cfg.Has("app.extensions") {
		return nil, nil
	}
	data, _ := cfg.Get("")
	root, _ := data.(map[string]any)
	work, err := os.MkdirTemp("", "portico-config-check-")
	if err != nil {
		return nil, fmt.Errorf("config check sandbox: %w", err)
	}
	defer os.RemoveAll(work)
	backend := child(root, "backend")
	backend["workingDirectory"] = work
	backend["database"] = map[string]any{"client": "better-sqlite3", "connection": ":memory:"}
	delete(backend, "listen")
	if catalog, ok := root["catalog"].(map[string]any); ok {
		catalog["locations"] = []any{}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("config check sandbox: %w", err)
	}
	probe := &extensionProbe{ready: make(chan *web.Registry, 1)}
	b := framework.New(framework.Options{Config: config.FromMap(root, "config check"), Listener: ln,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: Version()})
	b.Add(a.features...)
	b.Add(probe.plugin())
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var reg *web.Registry
	select {
	case reg = <-probe.ready:
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	case err := <-done:
		if err == nil {
			err = errors.New("stopped before it was ready")
		}
		return nil, fmt.Errorf("start-up: %w", err)
	}
	if reg == nil { // a build without the web registry has no extensions to name
		return nil, nil
	}
	return reg.Unknown(cfg)
}

// extensionProbe is a plugin, added to the sandbox only, that hands over the web registry (nil
// without one) once every plugin has contributed its extensions: its start-up hook runs after
// every plugin has initialised.
type extensionProbe struct {
	ready chan *web.Registry
}

func (p *extensionProbe) plugin() framework.Plugin {
	return framework.Plugin{ID: "config-check-probe", Register: func(r *framework.PluginRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
			lc, err := framework.Use(ctx, d, framework.LifecycleService)
			if err != nil {
				return err
			}
			reg, hasWeb, err := framework.UseOptional(ctx, d, web.RegistryService)
			if err != nil {
				return err
			}
			if !hasWeb {
				reg = nil
			}
			lc.AddStartupHook(func(context.Context) error {
				p.ready <- reg
				return nil
			})
			return nil
		})
	}}
}

// child returns m[key] as a map, creating it when absent.
func child(m map[string]any, key string) map[string]any {
	c, ok := m[key].(map[string]any)
	if !ok {
		c = map[string]any{}
		m[key] = c
	}
	return c
}
