package ui

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
	"github.com/portico-dev/portico/plugins/cataloggraph/layout"
)

// Node box sizes. Text widths are estimated (the server cannot measure fonts): generous
// per-character widths keep labels inside their boxes in common sans-serif fonts.
const (
	nodeHeight    = 46
	nodePadding   = 12
	iconSize      = 18
	titleCharW    = 7.4
	kindCharW     = 6.4
	maxTitleChars = 32
)

// svgOptions configure one drawing.
type svgOptions struct {
	ID        string // unique prefix for element IDs within the page
	Title     string // accessible name of the drawing
	Direction layout.Direction
	// FitWidth scales drawings up to this wide down to the container's width; wider ones
	// are drawn full size (0 never fits, math.Inf(1) always does).
	FitWidth   float64
	EntityHref func(ref string) string
	MoreHref   func(n *graph.Node) string
}

// drawing is a rendered graph.
type drawing struct {
	SVG       template.HTML
	Fitted    bool
	Crossings int
	Boxes     []box // placed node boxes, in graph node order (for tests)
}

type box struct{ X, Y, W, H float64 }

// nodeText is what a node box shows.
type nodeText struct {
	title, full, kind, kindClass, icon string
}

func textOf(n *graph.Node) nodeText {
	if n.IsMore() {
		t := fmt.Sprintf("+%d more", n.Hidden)
		return nodeText{title: t, full: fmt.Sprintf("%d more entities related to %s by %s", n.Hidden, n.Source, n.Relation), kind: n.Relation, kindClass: "more", icon: "+"}
	}
	e := n.Entity
	title := e.Title
	if title == "" {
		title = e.Name
		if ns := strings.ToLower(e.Namespace); ns != "" && ns != "default" {
			title = e.Namespace + "/" + e.Name
		}
	}
	kind := strings.ToLower(e.Kind)
	label := kind
	if e.Type != "" {
		label += " · " + e.Type
	}
	icon := "?"
	if r, _ := utf8.DecodeRuneInString(strings.ToUpper(kind)); r != utf8.RuneError {
		icon = string(r)
	}
	return nodeText{title: ellipsis(title, maxTitleChars), full: title + " (" + n.ID + ")", kind: ellipsis(label, maxTitleChars), kindClass: cssName(kind), icon: icon}
}

func ellipsis(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// cssName keeps letters, digits and dashes, so a kind can be a class name.
func cssName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func nodeSize(t nodeText) (float64, float64) {
	w := max(float64(utf8.RuneCountInString(t.title))*titleCharW, float64(utf8.RuneCountInString(t.kind))*kindCharW)
	return float64(int(w + iconSize + 3*nodePadding)), nodeHeight
}

// render lays the graph out and draws it as SVG.
func render(g *graph.Graph, opts svgOptions) drawing {
	texts := make([]nodeText, len(g.Nodes))
	nodes := make([]layout.Node, len(g.Nodes))
	index := make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		texts[i] = textOf(n)
		w, h := nodeSize(texts[i])
		nodes[i] = layout.Node{Width: w, Height: h}
		index[n.ID] = i
	}
	edges := make([]layout.Edge, len(g.Edges))
	for i, e := range g.Edges {
		edges[i] = layout.Edge{From: index[e.From], To: index[e.To]}
	}
	labelW := 0.0
	for _, e := range g.Edges {
		labelW = max(labelW, labelWidth(e.Relations))
	}
	lopts := layout.Options{Direction: opts.Direction, RankSep: max(90, labelW+30)}
	if !opts.Direction.Horizontal() {
		lopts.RankSep = 80
		lopts.NodeSep = 36
	}
	res := layout.Layout(nodes, edges, lopts)

	var b strings.Builder
	id := opts.ID
	attr := template.HTMLEscapeString
	w, h := num(res.Width), num(res.Height)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="cg-svg" viewBox="0 0 %s %s"`, w, h)
	fitted := res.Width <= opts.FitWidth
	if fitted {
		fmt.Fprintf(&b, ` width="100%%" style="max-width:%spx"`, w)
	} else {
		fmt.Fprintf(&b, ` width="%s" height="%s"`, w, h)
	}
	fmt.Fprintf(&b, ` role="img" aria-labelledby="%s-title %s-desc">`, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, attr(opts.Title))
	fmt.Fprintf(&b, `<desc id="%s-desc">%d entities and %d relations; the same relations are listed as text below the drawing.</desc>`, id, len(g.Nodes), len(g.Edges))
	fmt.Fprintf(&b, `<defs><marker id="%s-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="cg-arrow"/></marker></defs>`, id)

	// Labels go near the end of an edge whose node has fewer edges, where edges fan out.
	outDeg, inDeg := map[string]int{}, map[string]int{}
	for _, e := range g.Edges {
		outDeg[e.From]++
		inDeg[e.To]++
	}
	b.WriteString(`<g class="cg-edges">`)
	for i, e := range g.Edges {
		pts := res.Edges[i]
		if len(pts) < 2 {
			continue
		}
		fmt.Fprintf(&b, `<g class="cg-edge"><path d="%s" marker-end="url(#%s-arrow)"/>`, pathOf(pts, opts.Direction.Horizontal()), id)
		lx, ly := labelPoint(pts, outDeg[e.From] >= inDeg[e.To], opts.Direction.Horizontal(), labelWidth(e.Relations))
		fmt.Fprintf(&b, `<text x="%s" y="%s" class="cg-label">`, num(lx), num(ly))
		for j, r := range e.Relations {
			if j > 0 {
				b.WriteString(`<tspan class="cg-label-alt"> / </tspan>`)
			}
			cls := ""
			if j%2 == 1 {
				cls = ` class="cg-label-alt"`
			}
			fmt.Fprintf(&b, `<tspan%s>%s</tspan>`, cls, attr(r))
		}
		b.WriteString(`</text></g>`)
	}
	b.WriteString(`</g><g class="cg-nodes">`)
	boxes := make([]box, len(g.Nodes))
	for i, n := range g.Nodes {
		p := res.Nodes[i]
		t := texts[i]
		nw, nh := nodes[i].Width, nodes[i].Height
		x, y := p.X-nw/2, p.Y-nh/2
		boxes[i] = box{X: x, Y: y, W: nw, H: nh}
		href := ""
		if n.IsMore() {
			if opts.MoreHref != nil {
				href = opts.MoreHref(n)
			}
		} else if opts.EntityHref != nil {
			href = opts.EntityHref(n.ID)
		}
		cls := "cg-node cg-kind-" + t.kindClass
		if n.Root {
			cls += " cg-root"
		}
		if href != "" {
			fmt.Fprintf(&b, `<a href="%s" class="%s" data-ref="%s">`, attr(href), cls, attr(n.ID))
		} else {
			fmt.Fprintf(&b, `<g class="%s" data-ref="%s">`, cls, attr(n.ID))
		}
		fmt.Fprintf(&b, `<title>%s</title>`, attr(t.full))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" rx="6"/>`, num(x), num(y), num(nw), num(nh))
		cx, cy := x+nodePadding+iconSize/2, p.Y
		fmt.Fprintf(&b, `<circle class="cg-icon" cx="%s" cy="%s" r="%d"/>`, num(cx), num(cy), iconSize/2)
		fmt.Fprintf(&b, `<text class="cg-icon-text" x="%s" y="%s">%s</text>`, num(cx), num(cy+4), attr(t.icon))
		tx := x + 2*nodePadding + iconSize
		fmt.Fprintf(&b, `<text class="cg-kind" x="%s" y="%s">%s</text>`, num(tx), num(y+17), attr(t.kind))
		fmt.Fprintf(&b, `<text class="cg-title" x="%s" y="%s">%s</text>`, num(tx), num(y+35), attr(t.title))
		if href != "" {
			b.WriteString(`</a>`)
		} else {
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</g></svg>`)
	return drawing{SVG: template.HTML(b.String()), Fitted: fitted, Crossings: res.Crossings, Boxes: boxes} // every text and attribute above is escaped
}

// pathOf draws a route as smooth curves that leave and enter along the layer axis.
func pathOf(pts []layout.Point, horizontal bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "M%s,%s", num(pts[0].X), num(pts[0].Y))
	for i := 1; i < len(pts); i++ {
		a, c := pts[i-1], pts[i]
		if horizontal {
			mx := (a.X + c.X) / 2
			fmt.Fprintf(&b, "C%s,%s %s,%s %s,%s", num(mx), num(a.Y), num(mx), num(c.Y), num(c.X), num(c.Y))
		} else {
			my := (a.Y + c.Y) / 2
			fmt.Fprintf(&b, "C%s,%s %s,%s %s,%s", num(a.X), num(my), num(c.X), num(my), num(c.X), num(c.Y))
		}
	}
	return b.String()
}

// labelPoint places an edge's label on its curve close to the target (nearTarget) or to the
// source, away from a busy node where its edges bunch up, yet clear of the node's box.
func labelPoint(pts []layout.Point, nearTarget, horizontal bool, labelW float64) (float64, float64) {
	a, c := pts[1], pts[0] // the first hop, walked from its far end towards the source
	if nearTarget {
		a, c = pts[len(pts)-2], pts[len(pts)-1]
	}
	along := func(p layout.Point) float64 { return p.Y }
	clearance := 16.0 // half a text line and a gap
	if horizontal {
		along = func(p layout.Point) float64 { return p.X }
		clearance = labelW/2 + 12
	}
	span := math.Abs(along(c) - along(a))
	f := 0.5
	if span > 0 {
		f = min(max(1-clearance/span, 0.5), 0.85)
	}
	// The hop is a cubic curve with both control points half way along the axis; find the
	// parameter where it has come fraction f of the way, by bisection.
	bez := func(t, p0, p1, p2, p3 float64) float64 {
		u := 1 - t
		return u*u*u*p0 + 3*u*u*t*p1 + 3*u*t*t*p2 + t*t*t*p3
	}
	lo, hi := 0.0, 1.0
	for range 30 {
		mid := (lo + hi) / 2
		if bez(mid, 0, 0.5, 0.5, 1) < f {
			lo = mid
		} else {
			hi = mid
		}
	}
	t := (lo + hi) / 2
	across := bez(t, 0, 0, 1, 1) // the cross-axis coordinate moves with the same weights
	if horizontal {
		return a.X + (c.X-a.X)*f, a.Y + (c.Y-a.Y)*across - 4
	}
	return a.X + (c.X-a.X)*across, a.Y + (c.Y-a.Y)*f + 4
}

// labelWidth estimates the width of an edge label in 11px text.
func labelWidth(rels []string) float64 {
	return float64(utf8.RuneCountInString(strings.Join(rels, " / "))) * 6.4
}

// num writes a coordinate to a tenth of a pixel, for compact and stable SVG.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
