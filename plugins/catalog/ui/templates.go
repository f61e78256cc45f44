package ui

import (
	"embed"

	"github.com/portico-dev/portico/web"
)

// files are the plugin's own page templates and static files (web.PluginFiles).
//
//go:embed templates/*.html static
var files embed.FS

// pageTemplates render the catalog's pages, cards and header actions; they are the plugin's own,
// parsed once (the tests render each of them). The assets are its static files: the catalog pages'
// stylesheet.
var pageTemplates, assets = web.PluginFiles(files, nil, web.Assets{
	Namespace:   "catalog",
	Stylesheets: []string{"catalog.css"},
})

// Assets are the plugin's static files, served by the web shell.
func Assets() web.Assets { return assets }
