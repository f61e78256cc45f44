package extension

import (
	"encoding/json"
	"fmt"
)

// Default attachment points of the common extension kinds, as in Backstage's blueprints.
// They are functions so no package variable can be changed behind a caller's back.

// AttachPage is where pages go: app/routes input routes.
func AttachPage() AttachTo { return AttachTo{ID: "app/routes", Input: "routes"} }

// AttachNavItem is where sidebar entries go: app/nav input items.
func AttachNavItem() AttachTo { return AttachTo{ID: "app/nav", Input: "items"} }

// AttachEntityCard is where entity cards go: the overview tab's cards input.
func AttachEntityCard() AttachTo {
	return AttachTo{ID: "entity-content:catalog/overview", Input: "cards"}
}

// AttachEntityContent is where entity tabs go: the entity page's contents input.
func AttachEntityContent() AttachTo { return AttachTo{ID: "page:catalog/entity", Input: "contents"} }

// AttachEntityHeaderAction is where entity header actions go: the entity page's actions.
func AttachEntityHeaderAction() AttachTo {
	return AttachTo{ID: "page:catalog/entity", Input: "actions"}
}

// EntityCardTypes are the layout areas an entity card may ask for in config.type.
func EntityCardTypes() []string { return []string{"summary", "info", "content"} }

// PageSpec describes a page extension (kind page): config {path}.
type PageSpec struct {
	Namespace, Name string
	Path            string // default mount path, e.g. "/catalog"
	Disabled        bool
	Renderer        any
}

// Page returns a page extension attached to app/routes.
func Page(s PageSpec) Extension {
	return Extension{
		ID:       MakeID(KindPage, s.Namespace, s.Name),
		AttachTo: AttachPage(),
		Disabled: s.Disabled,
		ConfigSchema: objectSchema(map[string]any{
			"path": stringProp(s.Path),
		}),
		Renderer: s.Renderer,
	}
}

// NavItemSpec describes a sidebar entry (kind nav-item): config {title, icon}.
type NavItemSpec struct {
	Namespace, Name string
	Title, Icon     string
	Disabled        bool
	Renderer        any
}

// NavItem returns a nav-item extension attached to app/nav.
func NavItem(s NavItemSpec) Extension {
	return Extension{
		ID:       MakeID(KindNavItem, s.Namespace, s.Name),
		AttachTo: AttachNavItem(),
		Disabled: s.Disabled,
		ConfigSchema: objectSchema(map[string]any{
			"title": stringProp(s.Title),
			"icon":  stringProp(s.Icon),
		}),
		Renderer: s.Renderer,
	}
}

// EntityCardSpec describes an entity card (kind entity-card): config {filter, type}.
type EntityCardSpec struct {
	Namespace, Name string
	Filter          any    // default filter string or predicate object
	Type            string // default layout area: summary, info or content
	Disabled        bool
	Renderer        any
}

// EntityCard returns an entity-card extension attached to the overview tab's cards.
func EntityCard(s EntityCardSpec) Extension {
	typ := map[string]any{"type": "string", "enum": EntityCardTypes()}
	if s.Type != "" {
		typ["default"] = s.Type
	}
	return Extension{
		ID:       MakeID(KindEntityCard, s.Namespace, s.Name),
		AttachTo: AttachEntityCard(),
		Disabled: s.Disabled,
		ConfigSchema: objectSchema(map[string]any{
			"filter": filterProp(),
			"type":   typ,
		}),
		Filter:   s.Filter,
		Renderer: s.Renderer,
	}
}

// EntityContentSpec describes an entity tab (kind entity-content): config
// {path, title, filter, group, icon}; group false keeps the tab out of any group.
type EntityContentSpec struct {
	Namespace, Name string
	Path, Title     string
	Group, Icon     string
	Filter          any
	Disabled        bool
	Renderer        any
}

// EntityContent returns an entity-content extension attached to the entity page's contents.
func EntityContent(s EntityContentSpec) Extension {
	group := map[string]any{"anyOf": []any{
		map[string]any{"type": "string"},
		map[string]any{"const": false},
	}}
	if s.Group != "" {
		group["default"] = s.Group
	}
	return Extension{
		ID:       MakeID(KindEntityContent, s.Namespace, s.Name),
		AttachTo: AttachEntityContent(),
		Disabled: s.Disabled,
		ConfigSchema: objectSchema(map[string]any{
			"path":   stringProp(s.Path),
			"title":  stringProp(s.Title),
			"filter": filterProp(),
			"group":  group,
			"icon":   stringProp(s.Icon),
		}),
		Filter:   s.Filter,
		Renderer: s.Renderer,
	}
}

// EntityHeaderActionSpec describes an entity page header action (kind entity-header-action):
// config {filter}.
type EntityHeaderActionSpec struct {
	Namespace, Name string
	Filter          any
	Disabled        bool
	Renderer        any
}

// EntityHeaderAction returns an entity-header-action extension attached to the entity header.
func EntityHeaderAction(s EntityHeaderActionSpec) Extension {
	return Extension{
		ID:           MakeID(KindEntityHeaderAction, s.Namespace, s.Name),
		AttachTo:     AttachEntityHeaderAction(),
		Disabled:     s.Disabled,
		ConfigSchema: objectSchema(map[string]any{"filter": filterProp()}),
		Filter:       s.Filter,
		Renderer:     s.Renderer,
	}
}

func stringProp(def string) map[string]any {
	p := map[string]any{"type": "string"}
	if def != "" {
		p["default"] = def
	}
	return p
}

// filterProp accepts either filter form; CompileEntityFilter checks the details and reports
// them under config.filter.
func filterProp() map[string]any {
	return map[string]any{"type": []any{"string", "object"}}
}

func objectSchema(props map[string]any) string {
	b, err := json.Marshal(map[string]any{
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	})
	if err != nil {
		panic(fmt.Sprintf("extension: marshal built-in schema: %v", err))
	}
	return string(b)
}
