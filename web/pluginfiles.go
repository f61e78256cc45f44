package web

import (
	"html/template"
	"io/fs"
)

// PluginFiles reads a plugin's own web files in the standard layout of one embedded file
// system: the page templates templates/*.html, parsed once with funcs (nil for none), and the
// static files under static/, served by the shell as a describes (a.Files is set). It panics
// on a template that does not parse, as MustParseTemplates does.
func PluginFiles(fsys fs.FS, funcs template.FuncMap, a Assets) (*Templates, Assets) {
	return MustParseTemplates(fsys, funcs, "templates/*.html"), EmbeddedAssets(fsys, "static", a)
}
