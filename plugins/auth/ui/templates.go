package ui

import (
	"embed"

	"github.com/portico-dev/portico/web"
)

// files are the plugin's own page templates and static files (web.PluginFiles).
//
//go:embed templates/*.html static
var files embed.FS

// pageTemplates render the sign-in page; they are the plugin's own, parsed once (the tests render
// each of them). The assets are its static files: the sign-in page's stylesheet and the script
// that refreshes the session before it expires (every page).
var pageTemplates, assets = web.PluginFiles(files, nil, web.Assets{
	Namespace:   "auth",
	Stylesheets: []string{"sign-in.css"},
	Scripts:     []string{"session.js"},
})

// Assets are the plugin's static files, served by the web shell.
func Assets() web.Assets { return assets }
