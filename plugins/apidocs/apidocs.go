package apidocs

import (
	"context"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/apidocs/ui"
	"github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/web"
)

// ID is the plugin's ID.
const ID = "api-docs"

// Plugin returns the api-docs plugin. It has no API or tables of its own; without the web
// registry (a headless backend) it does nothing.
func Plugin() framework.Plugin { return web.FrontendPlugin(ID, initPlugin) }

func initPlugin(ctx context.Context, d *framework.Deps, reg *web.Registry) error {
	r := framework.Resolve(ctx, d)
	log := framework.Need(r, framework.LoggerService)
	disc := framework.Need(r, framework.DiscoveryService)
	authSvc := framework.Need(r, framework.AuthService)
	if err := r.Err(); err != nil {
		return err
	}
	reg.Add(ui.Extensions(ui.Options{
		Logger:     log,
		CatalogURL: func() string { return disc.BaseURL("catalog") },
		// Call the catalog as the page's visitor; pages served without sign-in (a backend
		// without the auth plugin) call it as this plugin.
		CatalogToken: client.OnBehalfOfCaller(authSvc),
	})...)
	reg.AddAssets(ui.Assets())
	return nil
}
