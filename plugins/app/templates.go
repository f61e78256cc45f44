package app

import (
	"embed"

	"github.com/portico-dev/portico/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageTemplates render the home and settings pages; they are the plugin's own, parsed once (the tests render
// each of them).
var pageTemplates = web.MustParseTemplates(templateFS, nil, "templates/*.html")

// Assets are the plugin's static files, served by the web shell: the home page's stylesheet
// and the script that keeps its world clocks current.
func Assets() web.Assets {
	return web.EmbeddedAssets(staticFS, "static", web.Assets{
		Namespace:   "app",
		Stylesheets: []string{"home.css"},
		Scripts:     []string{"home.js"},
	})
}
