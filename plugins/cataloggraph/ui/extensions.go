package ui

import (
	"cmp"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// Extension IDs and the page's default mount path, as in Backstage.
const (
	PageID      = "page:catalog-graph"
	NavItemID   = "nav-item:catalog-graph"
	CardID      = "entity-card:catalog-graph/relations"
	DefaultPath = "/catalog-graph"
)

// Options configure the catalog-graph UI.
type Options struct {
	Logger *slog.Logger
	// Catalog reads entities by reference (the catalog client, acting for the caller).
	Catalog graph.Fetcher
	// MaxNodes and MaxPerRelation bound every graph (defaults: graph.DefaultMaxNodes and
	// graph.DefaultMaxPerRelation).
	MaxNodes, MaxPerRelation int
}

// Extensions returns the catalog-graph UI extensions: the Relations card (enabled), the page
// (enabled) and its nav item (disabled, as in Backstage).
func Extensions(opts Options) ([]extension.Extension, error) {
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, fmt.Errorf("catalog-graph templates: %w", err)
	}
	log := cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	limits := graph.Query{MaxNodes: opts.MaxNodes, MaxPerRelation: opts.MaxPerRelation}
	card := entityui.CardExtension(entityui.CardSpec{
		Namespace: "catalog-graph", Name: "relations", Type: "content",
		Renderer: &relationsCard{catalog: opts.Catalog, tmpl: tmpl, log: log, limits: limits, version: scriptVersion()},
	})
	card.AttachTo = entityui.AttachCard()
	card.ConfigSchema, err = cardSchema(card.ConfigSchema)
	if err != nil {
		return nil, err
	}
	return []extension.Extension{
		card,
		extension.Page(extension.PageSpec{Namespace: "catalog-graph", Path: DefaultPath,
			Renderer: &graphPage{catalog: opts.Catalog, tmpl: tmpl, log: log, limits: limits, version: scriptVersion()}}),
		extension.NavItem(extension.NavItemSpec{Namespace: "catalog-graph", Title: "Catalog Graph", Icon: "graph", Disabled: true,
			Renderer: web.NavTarget{PageID: PageID}}),
	}, nil
}

// cardSchema adds the card's own settings (Backstage's EntityCatalogGraphCard props) to the
// entity-card blueprint's config schema.
func cardSchema(base string) (string, error) {
	var s map[string]any
	if err := json.Unmarshal([]byte(base), &s); err != nil {
		return "", fmt.Errorf("catalog-graph card schema: %w", err)
	}
	props, _ := s["properties"].(map[string]any)
	if props == nil {
		return "", fmt.Errorf("catalog-graph card schema: blueprint has no properties")
	}
	strs := map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	props["title"] = map[string]any{"type": "string", "default": "Relations"}
	props["maxDepth"] = map[string]any{"type": "integer", "minimum": 1, "maximum": maxDepthChoice, "default": 1}
	props["kinds"] = strs
	props["relations"] = strs
	props["unidirectional"] = map[string]any{"type": "boolean", "default": true}
	props["mergeRelations"] = map[string]any{"type": "boolean", "default": true}
	props["direction"] = map[string]any{"type": "string", "enum": []any{"LR", "RL", "TB", "BT"}, "default": "LR"}
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("catalog-graph card schema: %w", err)
	}
	return string(b), nil
}

var (
	_ entityui.CardRenderer = (*relationsCard)(nil)
	_ web.PageHandler       = (*graphPage)(nil)
)
