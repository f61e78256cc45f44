package extension

import (
	"encoding/json"
	"fmt"
)

// Blueprints of the shell's extension kinds (pages and nav items), as in Backstage's
// frontend-plugin-api. Blueprints of a plugin's own kinds live in that plugin (the entity
// page's cards and tabs in plugins/catalog/entityui), as Backstage's live in catalog-react.
// Attachment points are functions so no package variable can be changed behind a caller's back.

// AttachPage is where pages go: app/routes input routes.
func AttachPage() AttachTo { return AttachTo{ID: "app/routes", Input: "routes"} }

// AttachNavItem is where sidebar entries go: app/nav input items.
func AttachNavItem() AttachTo { return AttachTo{ID: "app/nav", Input: "items"} }

// PageSpec describes a page extension (kind page): config {path}.
type PageSpec struct {
	Namespace, Name string
	Path            string // default mount path, e.g. "/catalog"
	Disabled        bool
	// Roles tell the web shell what it uses the page for (RoleSignIn, RoleSearch…).
	Roles    []string
	Renderer any
}

// Page returns a page extension attached to app/routes.
func Page(s PageSpec) Extension {
	e := blueprint(KindPage, s.Namespace, s.Name, AttachPage(), s.Disabled, s.Renderer, map[string]any{"path": StringSchema(s.Path)})
	e.Roles = s.Roles
	return e
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
	return blueprint(KindNavItem, s.Namespace, s.Name, AttachNavItem(), s.Disabled, s.Renderer,
		map[string]any{"title": StringSchema(s.Title), "icon": StringSchema(s.Icon)})
}

// blueprint is an extension of kind kind attached at at, whose config is an object of props.
func blueprint(kind, namespace, name string, at AttachTo, disabled bool, renderer any, props map[string]any) Extension {
	return Extension{
		ID:           MakeID(kind, namespace, name),
		AttachTo:     at,
		Disabled:     disabled,
		ConfigSchema: ObjectSchema(props),
		Renderer:     renderer,
	}
}

// StringSchema is the JSON Schema of a string config property with an optional default.
func StringSchema(def string) map[string]any {
	p := map[string]any{"type": "string"}
	if def != "" {
		p["default"] = def
	}
	return p
}

// FilterSchema is the JSON Schema of a "filter" config property: either filter form;
// CompileEntityFilter checks the details and reports them under config.filter.
func FilterSchema() map[string]any {
	return map[string]any{"type": []any{"string", "object"}}
}

// ObjectSchema is the config schema (JSON text) of an object with these properties and no
// others, for the blueprints of other packages.
func ObjectSchema(props map[string]any) string {
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
