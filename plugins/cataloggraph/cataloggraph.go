package cataloggraph

import (
	"context"
	"net/http"
	"time"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/plugins/cataloggraph/ui"
	"github.com/portico-dev/portico/web"
)

// ID is the plugin's ID.
const ID = "catalog-graph"

// Plugin returns the catalog-graph plugin. Without the web registry (a headless backend) it
// does nothing.
func Plugin() framework.Plugin {
	return framework.Plugin{
		ID: ID,
		Register: func(r *framework.PluginRegistrar) {
			r.RegisterInit(initPlugin)
		},
	}
}

func initPlugin(ctx context.Context, d *framework.Deps) error {
	reg, ok, err := framework.UseOptional(ctx, d, web.RegistryService)
	if err != nil || !ok {
		return err // nil without a web UI in this backend (a headless one)
	}
	r := framework.Resolve(ctx, d)
	log := framework.Need(r, framework.LoggerService)
	disc := framework.Need(r, framework.DiscoveryService)
	if err := r.Err(); err != nil {
		return err
	}
	// The catalog is read on behalf of whoever opened the page (credentials the web
	// middleware put in the request context), else as this plugin.
	var token client.TokenFunc
	if authSvc, ok, err := framework.UseOptional(ctx, d, framework.AuthService); err != nil {
		return err
	} else if ok {
		token = client.OnBehalfOfCaller(authSvc)
	}
	cat := client.New(disc, token, client.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	exts, err := ui.Extensions(ui.Options{Logger: log, Catalog: ui.ClientFetcher(cat)})
	if err != nil {
		return err
	}
	reg.Add(exts...)
	return nil
}
