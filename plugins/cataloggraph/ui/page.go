package ui

import (
	"bytes"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
	"github.com/portico-dev/portico/plugins/cataloggraph/layout"
	"github.com/portico-dev/portico/web"
)

// graphPage is page:catalog-graph, Backstage's CatalogGraphPage.
type graphPage struct {
	catalog graph.Fetcher
	tmpl    *template.Template
	log     *slog.Logger
	limits  graph.Query
	version string // of the script
}

// serveScript serves the pan-and-zoom script.
func (h *graphPage) serveScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	if r.URL.Query().Get("v") == h.version {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "graph.js", time.Time{}, bytes.NewReader(graphJS))
}

type pageView struct {
	Action, Subtitle                 string
	Problems                         []string
	Roots                            []string
	Depths, Kinds, Relations         []option
	Directions                       []option
	Unidirectional, MergeRelations   bool
	ShowFilters                      bool
	Zoom                             string
	ShowFiltersHref, HideFiltersHref string
	ZoomHref, ZoomLabel              string
	Script                           string
	Graph                            *graphView
}

// ServePage implements web.PageHandler.
func (h *graphPage) ServePage(w http.ResponseWriter, r *http.Request, page *web.Page) {
	shell := page.Shell()
	if !web.ReadOnly(w, r) {
		return
	}
	if r.URL.Path == strings.TrimRight(page.Path, "/")+"/graph.js" {
		h.serveScript(w, r)
		return
	}
	if strings.TrimRight(r.URL.Path, "/") != page.Path {
		shell.NotFound(w, r)
		return
	}
	p, problems := parseParams(r.URL.Query(), pageDefaults())
	v := pageView{
		Action: page.Path, Problems: problems, Roots: append(slices.Clone(p.Roots), ""),
		Depths: depthOptions(p.MaxDepth), Unidirectional: p.Unidirectional, MergeRelations: p.MergeRelations,
		ShowFilters: p.ShowFilters, Zoom: p.Zoom, Script: scriptPath(page.Path, h.version), Subtitle: strings.Join(p.Roots, ", "),
	}
	for _, k := range graph.Kinds() {
		v.Kinds = append(v.Kinds, option{Value: k, Label: k, Selected: slices.Contains(p.Kinds, k)})
	}
	for _, k := range p.Kinds { // keep a custom kind from a shared link visible
		if !slices.Contains(graph.Kinds(), k) {
			v.Kinds = append(v.Kinds, option{Value: k, Label: k, Selected: true})
		}
	}
	for _, rel := range graph.AllRelations() {
		v.Relations = append(v.Relations, option{Value: rel, Label: rel, Selected: slices.Contains(p.Relations, rel)})
	}
	for _, rel := range p.Relations {
		if !slices.Contains(graph.AllRelations(), rel) {
			v.Relations = append(v.Relations, option{Value: rel, Label: rel, Selected: true})
		}
	}
	for _, d := range []struct {
		dir   layout.Direction
		label string
	}{{layout.LeftRight, "Left to right"}, {layout.RightLeft, "Right to left"}, {layout.TopBottom, "Top to bottom"}, {layout.BottomTop, "Bottom to top"}} {
		v.Directions = append(v.Directions, option{Value: string(d.dir), Label: d.label, Selected: d.dir == p.Direction})
	}
	toggle := func(show bool) string {
		q := r.URL.Query()
		q.Set("showFilters", map[bool]string{true: "true", false: "false"}[show])
		return page.Path + "?" + q.Encode()
	}
	v.ShowFiltersHref, v.HideFiltersHref = toggle(true), toggle(false)

	status := 0
	if len(p.Roots) > 0 {
		l := linker{catalog: entityui.LinksFor(shell), page: page.Path, view: p}
		fit := map[string]float64{"": autoFitWidth, "fit": math.Inf(1), "actual": 0}[p.Zoom]
		gv, err := buildGraph(r.Context(), h.catalog, p, l, "cg-page", "Relations graph of "+v.Subtitle, fit, h.limits)
		if err != nil {
			h.log.Error("build catalog graph", "roots", p.Roots, "err", err)
			gv.Problem = problemOf(err)
			status = http.StatusBadGateway
		}
		v.Graph = &gv
		zq := r.URL.Query()
		if gv.Fitted {
			zq.Set("zoom", "actual")
			v.ZoomLabel = "Actual size"
		} else {
			zq.Set("zoom", "fit")
			v.ZoomLabel = "Fit to width"
		}
		v.ZoomHref = page.Path + "?" + zq.Encode()
	}
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, "page", v); err != nil {
		web.ServerError(w, r, h.log, "render catalog graph page", err)
		return
	}
	shell.Render(w, r, web.View{Title: "Catalog Graph", Main: template.HTML(buf.String()), Status: status}) // html/template output
}
