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
func Plugin() framework.Plugin { return web.FrontendPlugin(ID, initPlugin) }

func initPlugin(ctx context.Context, d *framework.Deps, reg *web.Registry) error {
	r := framework.Resolve(ctx, d)
	log := framework.Need(r, framework.LoggerService)
	disc := framework.Need(r, framework.DiscoveryService)
	if err := r.Err(); err != nil {
		return err
	}
	// The catalog is read on behalf of whoever opened the page (credentials the web
	// middleware put in the request context), else as this plugin.
	token, err := client.CallerToken(ctx, d)
	if err != nil {
		return err
	}
	cat := client.New(disc, token, client.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	exts, err := ui.Extensions(ui.Options{Logger: log, Catalog: ui.ClientFetcher(cat)})
	if err != nil {
		return err
	}
	reg.Add(exts...)
	return nil
}
