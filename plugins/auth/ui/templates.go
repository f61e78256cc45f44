package ui

import (
	"embed"

	"github.com/portico-dev/portico/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageTemplates render the sign-in page; they are the plugin's own, parsed once (the tests render
// each of them).
var pageTemplates = web.MustParseTemplates(templateFS, nil, "templates/*.html")
