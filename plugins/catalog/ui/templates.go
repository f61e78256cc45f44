package ui

import (
	"embed"

	"github.com/portico-dev/portico/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageTemplates render the catalog's pages, cards and header actions; they are the plugin's own, parsed once (the tests render
// each of them).
var pageTemplates = web.MustParseTemplates(templateFS, nil, "templates/*.html")

// Assets are the plugin's static files, served by the web shell: the catalog pages' stylesheet.
func Assets() web.Assets {
	return web.EmbeddedAssets(staticFS, "static", web.Assets{
		Namespace:   "catalog",
		Stylesheets: []string{"catalog.css"},
	})
}
