// Package ui is the scaffolder's part of the web UI: the template list at /create, the form
// generated server-side from a template's parameter pages (with a review step), the task page
// that streams each step's log from the SSE endpoint, the list of the user's tasks and the
// template editor (dry run). Pages work without JavaScript; a small script streams logs.
package ui

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/plugins/scaffolder/service"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// Extension IDs and the default mount path, as in Backstage.
const (
	PageID      = "page:scaffolder"
	NavItemID   = "nav-item:scaffolder"
	DefaultPath = "/create"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/task.js
var taskJS []byte

// Options configure the pages.
type Options struct {
	Service *service.Service
	Logger  *slog.Logger
}

// Extensions returns the create page and its nav item.
func Extensions(opts Options) []extension.Extension {
	p := &pages{svc: opts.Service, log: cmp.Or(opts.Logger, slog.New(slog.DiscardHandler)), tmpl: mustTemplates()}
	return []extension.Extension{
		extension.Page(extension.PageSpec{Namespace: "scaffolder", Path: DefaultPath, Renderer: p}),
		extension.NavItem(extension.NavItemSpec{Namespace: "scaffolder", Title: "Create", Icon: "create", Renderer: web.NavTarget{PageID: PageID}}),
	}
}

func mustTemplates() *template.Template {
	t, err := template.New("").Funcs(template.FuncMap{
		"join": strings.Join,
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		panic(err) // embedded templates are checked by the tests
	}
	return t
}

type pages struct {
	svc  *service.Service
	log  *slog.Logger
	tmpl *template.Template
}

// ServePage dispatches below the page's mount path.
func (p *pages) ServePage(w http.ResponseWriter, r *http.Request, page *web.Page) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, page.Path), "/")
	parts := strings.Split(rest, "/")
	switch {
	case rest == "":
		p.list(w, r, page)
	case parts[0] == "templates" && len(parts) == 3:
		p.form(w, r, page, parts[1], parts[2])
	case parts[0] == "tasks" && len(parts) == 1:
		p.tasks(w, r, page)
	case parts[0] == "tasks" && len(parts) == 2:
		p.task(w, r, page, parts[1])
	case rest == "edit":
		p.editor(w, r, page)
	case rest == "_/task.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(taskJS)
	default:
		page.Shell().NotFound(w, r)
	}
}

// render executes one of the package's templates inside the layout.
func (p *pages) render(w http.ResponseWriter, r *http.Request, page *web.Page, name, title string, status int, data any) {
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		web.ServerError(w, r, p.log, "render scaffolder page", err, "template", name)
		return
	}
	page.Shell().Render(w, r, web.View{Title: title, Main: template.HTML(buf.String()), Status: status}) // #nosec: html/template output
}

// problem renders an error page for err.
func (p *pages) problem(w http.ResponseWriter, r *http.Request, page *web.Page, err error) {
	status := http.StatusInternalServerError
	msg := "Something went wrong."
	switch {
	case errors.Is(err, service.ErrNotFound):
		status, msg = http.StatusNotFound, err.Error()
	case errors.Is(err, service.ErrInput):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, service.ErrNotAllowed):
		status, msg = http.StatusForbidden, "You are not allowed to do this: "+err.Error()
	case errors.Is(err, service.ErrConflict):
		status, msg = http.StatusConflict, err.Error()
	default:
		if !apierr.RecordFailure(r.Context(), err) {
			p.log.Error("scaffolder page", "path", r.URL.Path, "err", err)
		}
		if status, _ = web.FailureStatus(err); status == http.StatusServiceUnavailable {
			msg = "The database cannot be reached right now; try again in a moment."
		}
	}
	p.render(w, r, page, "scaffolder-problem.html", "Create", status, map[string]any{"Message": msg, "Back": page.Path})
}
