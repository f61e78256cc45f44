package ui

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
)

//go:embed templates/*.html
var templateFS embed.FS

// graphJS is the optional pan-and-zoom script, served by the page at <path>/graph.js.
//
//go:embed static/graph.js
var graphJS []byte

// scriptVersion is a content hash of graphJS: its URL changes with it, so browsers may cache
// it for good.
func scriptVersion() string {
	sum := sha256.Sum256(graphJS)
	return hex.EncodeToString(sum[:6])
}

// scriptPath is where the page at pagePath serves graphJS ("" when the page is disabled).
func scriptPath(pagePath, version string) string {
	if pagePath == "" {
		return ""
	}
	return strings.TrimRight(pagePath, "/") + "/graph.js?v=" + version
}

// parseTemplates parses the card and page templates; Extensions calls it at start-up so a
// broken template stops the portal from starting rather than failing a page later.
func parseTemplates() (*template.Template, error) {
	return template.New("").Funcs(template.FuncMap{
		"inc": func(i int) int { return i + 1 },
	}).ParseFS(templateFS, "templates/*.html")
}

// graphView is a drawn graph with its text fallback.
type graphView struct {
	SVG       template.HTML
	Edges     []edgeItem
	Truncated bool
	MaxNodes  int
	Missing   []string
	Problem   string
	Lone      bool // the roots have no matching relations
	Fitted    bool // scaled to the container's width
	drawing   drawing
}

type edgeItem struct {
	From, To  linkItem
	Relations string
}

type linkItem struct {
	Label, Href, ExploreHref string
}

// linker makes the links of a drawing.
type linker struct {
	catalog entityui.Links
	page    string // the graph page's path; "" when it is disabled
	view    params // the current view, kept when re-rooting from the list
}

func (l linker) entity(ref string) string { return l.catalog.EntityString(ref) }

// more links a "+N more" node to the full list: the catalog index filtered by owner for
// owned entities, else the source entity's page, whose cards list its relations.
func (l linker) more(n *graph.Node) string {
	if n.Relation == model.RelationOwnerOf {
		if h := l.catalog.Index(url.Values{"filters[kind]": {"all"}, "filters[owners]": {n.Source}}); h != "" {
			return h
		}
	}
	return l.catalog.EntityString(n.Source)
}

// explore links to the graph page rooted at ref, keeping the other settings.
func (l linker) explore(ref string) string {
	if l.page == "" {
		return ""
	}
	v := l.view
	v.Roots = []string{ref}
	return l.page + "?" + v.query().Encode()
}

// buildGraph builds, draws and describes the graph of a view.
func buildGraph(ctx context.Context, f graph.Fetcher, p params, l linker, id, title string, fitWidth float64, limits graph.Query) (graphView, error) {
	q := p.graphQuery()
	q.MaxNodes, q.MaxPerRelation = limits.MaxNodes, limits.MaxPerRelation
	g, err := graph.Build(ctx, f, q)
	if err != nil {
		return graphView{}, err
	}
	v := graphView{Truncated: g.Truncated, MaxNodes: cmpOr(q.MaxNodes, graph.DefaultMaxNodes), Missing: g.MissingRoots}
	if len(g.Nodes) == 0 {
		return v, nil
	}
	v.drawing = render(g, svgOptions{
		ID: id, Title: title, Direction: p.Direction, FitWidth: fitWidth,
		EntityHref: l.entity, MoreHref: l.more,
	})
	v.SVG, v.Fitted = v.drawing.SVG, v.drawing.Fitted
	v.Lone = len(g.Edges) == 0
	link := func(id string) linkItem {
		n, _ := g.Node(id)
		if n.IsMore() {
			return linkItem{Label: textOf(n).title + " (" + n.Relation + ")", Href: l.more(n)}
		}
		t := textOf(n)
		label := t.title
		if kind := graph.KindOf(n.ID); kind != "" {
			label = kind + ": " + label
		}
		return linkItem{Label: label, Href: l.entity(n.ID), ExploreHref: l.explore(n.ID)}
	}
	for _, e := range g.Edges {
		v.Edges = append(v.Edges, edgeItem{From: link(e.From), To: link(e.To), Relations: strings.Join(e.Relations, " / ")})
	}
	return v, nil
}

func cmpOr(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}

// problemOf turns a build error into words for the page.
func problemOf(err error) string {
	if errors.Is(err, graph.ErrNoRoots) {
		return "Pick a root entity first."
	}
	return "The catalog could not be read, so the graph cannot be drawn right now."
}
