package app

import (
	"embed"

	"github.com/portico-dev/portico/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageTemplates render the home and settings pages; they are the plugin's own, parsed once (the tests render
// each of them).
var pageTemplates = web.MustParseTemplates(templateFS, nil, "templates/*.html")
