package ui

import (
	"embed"

	"github.com/portico-dev/portico/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageTemplates render the sign-in page; they are the plugin's own, parsed once (the tests render
// each of them).
var pageTemplates = web.MustParseTemplates(templateFS, nil, "templates/*.html")

// Assets are the plugin's static files, served by the web shell: the sign-in page's stylesheet and the script that refreshes the session before it expires (every page).
func Assets() web.Assets {
	return web.EmbeddedAssets(staticFS, "static", web.Assets{
		Namespace:   "auth",
		Stylesheets: []string{"sign-in.css"},
		Scripts:     []string{"session.js"},
	})
}
