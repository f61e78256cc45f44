package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
)

// Templates are a plugin's own HTML templates (html/template), parsed from the files it embeds
// (ui/templates/*.html), that render its page bodies, cards and tabs. The shell's templates
// (layout, not-found page) are not among them: a page hands its body to Shell.Render.
type Templates struct{ t *template.Template }

// ParseTemplates parses the files of fsys matching the patterns, with funcs available to
// them (nil for none).
func ParseTemplates(fsys fs.FS, funcs template.FuncMap, patterns ...string) (*Templates, error) {
	t, err := template.New("").Funcs(funcs).ParseFS(fsys, patterns...)
	if err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	return &Templates{t: t}, nil
}

// MustParseTemplates is ParseTemplates for embedded files, which the plugin's tests render:
// it panics on an error, so a broken template stops the program at start-up.
func MustParseTemplates(fsys fs.FS, funcs template.FuncMap, patterns ...string) *Templates {
	t, err := ParseTemplates(fsys, funcs, patterns...)
	if err != nil {
		panic(err)
	}
	return t
}

// Execute renders the template called name (a file name or a {{define}}d name) with data.
func (t *Templates) Execute(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := t.t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil // #nosec: output of html/template, already escaped
}
