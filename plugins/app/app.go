// Package app is the app plugin: it mounts the web UI shell (resolving every plugin's UI
// extensions against app.extensions at start-up), provides the home and settings pages, and
// serves the configuration the UI may see (schema visibility "frontend") at /api/app/config,
// in the shape Backstage's frontend config loader reads ([{context, data}]).
package app

import (
	"context"
	_ "embed"
	"net/http"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/httpapi"
)

//go:embed schema.json
var configSchema []byte

// Plugin returns the app plugin.
func Plugin() framework.Plugin {
	return framework.Plugin{
		ID:           "app",
		ConfigSchema: configSchema,
		Register: func(r *framework.PluginRegistrar) {
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				r := framework.Resolve(ctx, d)
				cfg := framework.Need(r, framework.RootConfigService)
				vis := framework.Need(r, framework.ConfigVisibilityService)
				router := framework.Need(r, framework.HTTPRouterService)
				if err := r.Err(); err != nil {
					return err
				}
				if err := registerUI(ctx, d, cfg); err != nil {
					return err
				}
				h := &handler{cfg: cfg, vis: vis}
				router.HandleFunc("GET /config", h.serveConfig)
				// The UI needs its configuration before anyone has signed in.
				router.AddAuthPolicy(framework.AuthPolicy{Path: "/config", Allow: "unauthenticated"})
				return nil
			})
		},
	}
}

type handler struct {
	cfg *config.Config
	vis *config.Visibility
}

// appConfig is one entry of Backstage's frontend AppConfig list.
type appConfig struct {
	Context string         `json:"context"`
	Data    map[string]any `json:"data"`
}

func (h *handler) serveConfig(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	_ = httpapi.WriteJSON(w, http.StatusOK, []appConfig{{Context: "app-config", Data: h.vis.Frontend(h.cfg)}})
}
