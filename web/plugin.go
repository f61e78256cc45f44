package web

import (
	"context"

	"github.com/portico-dev/portico/framework"
)

// FrontendPlugin returns a plugin that only contributes to the web UI (no API, no tables):
// init runs with the web registry, and a backend without one (a headless backend) leaves the
// plugin idle.
func FrontendPlugin(id string, init func(ctx context.Context, d *framework.Deps, reg *Registry) error) framework.Plugin {
	return framework.Plugin{
		ID: id,
		Register: func(r *framework.PluginRegistrar) {
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				reg, ok, err := framework.UseOptional(ctx, d, RegistryService)
				if err != nil || !ok {
					return err
				}
				return init(ctx, d, reg)
			})
		},
	}
}
