package ui

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"math"
	"strconv"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
	"github.com/portico-dev/portico/plugins/cataloggraph/layout"
)

// cardMaxPerRelation keeps the card short: a group with hundreds of members shows a dozen
// and a "+N more" node; the page shows more.
const cardMaxPerRelation = 12

// relationsCard is entity-card:catalog-graph/relations, Backstage's EntityCatalogGraphCard.
type relationsCard struct {
	catalog graph.Fetcher
	tmpl    *template.Template
	log     *slog.Logger
	limits  graph.Query
	version string // of the page's script
}

type cardView struct {
	Graph     graphView
	Action    string // the graph page; "" when it is disabled
	Hidden    []hiddenField
	Depths    []option
	Relations []option
	ViewHref  string
	Script    string
}

type hiddenField struct{ Name, Value string }

type option struct {
	Value, Label string
	Selected     bool
}

// cardParams reads the card's config (already defaulted and validated by its schema).
func cardParams(cfg map[string]any) (params, string) {
	p := params{MaxDepth: 1, Unidirectional: true, MergeRelations: true, Direction: layout.LeftRight, ShowFilters: true}
	title := "Relations"
	if s, ok := cfg["title"].(string); ok && s != "" {
		title = s
	}
	switch d := cfg["maxDepth"].(type) {
	case float64:
		p.MaxDepth = int(d)
	case int:
		p.MaxDepth = d
	case int64:
		p.MaxDepth = int(d)
	}
	p.Kinds = stringList(cfg["kinds"])
	p.Relations = stringList(cfg["relations"])
	if b, ok := cfg["unidirectional"].(bool); ok {
		p.Unidirectional = b
	}
	if b, ok := cfg["mergeRelations"].(bool); ok {
		p.MergeRelations = b
	}
	if d, ok := cfg["direction"].(string); ok && layout.Direction(d).Valid() {
		p.Direction = layout.Direction(d)
	}
	return p, title
}

func stringList(v any) []string {
	var out []string
	switch vs := v.(type) {
	case []any:
		for _, x := range vs {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, vs...)
	}
	return out
}

// RenderCard implements entityui.CardRenderer. A catalog failure is shown in the card, not
// returned: one card must not take the whole overview down.
func (c *relationsCard) RenderCard(ctx context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	var cfg map[string]any
	if n, ok := ec.Shell.Tree().Node(CardID); ok {
		cfg = n.Config
	}
	p, title := cardParams(cfg)
	e := ec.Entity
	rels := make([]graph.Relation, 0, len(e.Relations))
	for _, r := range e.Relations {
		rels = append(rels, graph.Relation{Type: r.Type, TargetRef: r.TargetRef})
	}
	root := newEntity(e.Kind, e.Metadata.Namespace, e.Metadata.Name, e.Metadata.Title, e.Spec, rels)
	p.Roots = []string{root.Ref}
	page := ec.Shell.PagePath(PageID)
	l := linker{catalog: ec.Links(), page: page, view: p}
	name := root.Title
	if name == "" {
		name = root.Name
	}
	limits := c.limits
	limits.MaxPerRelation = min(cmpOr(limits.MaxPerRelation, cardMaxPerRelation), cardMaxPerRelation)
	gv, err := buildGraph(ctx, seeded(c.catalog, root), p, l, "cg-card", "Relations of "+name, math.Inf(1), limits)
	if err != nil {
		c.log.Error("build relations graph", "entity", root.Ref, "err", err)
		gv.Problem = problemOf(err)
	}
	v := cardView{Graph: gv, Script: scriptPath(page, c.version)}
	if page != "" {
		v.Action = page
		pageView := p
		v.ViewHref = page + "?" + pageView.query().Encode()
		v.Hidden = append(v.Hidden, hiddenField{"rootEntityRefs[]", root.Ref})
		for _, k := range p.Kinds {
			v.Hidden = append(v.Hidden, hiddenField{"selectedKinds[]", k})
		}
		v.Hidden = append(v.Hidden,
			hiddenField{"unidirectional", strconv.FormatBool(p.Unidirectional)},
			hiddenField{"mergeRelations", strconv.FormatBool(p.MergeRelations)},
			hiddenField{"direction", string(p.Direction)})
		v.Depths = depthOptions(max(p.MaxDepth+1, 2))
		sel := ""
		if len(p.Relations) == 1 {
			sel = p.Relations[0]
		}
		v.Relations = append(v.Relations, option{Value: "", Label: "All relations", Selected: sel == ""})
		for _, r := range graph.AllRelations() {
			v.Relations = append(v.Relations, option{Value: r, Label: r, Selected: r == sel})
		}
	}
	var buf bytes.Buffer
	if err := c.tmpl.ExecuteTemplate(&buf, "card", v); err != nil {
		return entityui.Card{}, err
	}
	return entityui.Card{Title: title, Body: template.HTML(buf.String())}, nil // html/template output
}

// depthOptions lists 1…maxDepthChoice and ∞ with selected chosen (0 is ∞).
func depthOptions(selected int) []option {
	var out []option
	for d := 1; d <= maxDepthChoice; d++ {
		out = append(out, option{Value: strconv.Itoa(d), Label: strconv.Itoa(d), Selected: d == selected})
	}
	return append(out, option{Value: infinity, Label: "∞ (no limit)", Selected: selected <= 0})
}
