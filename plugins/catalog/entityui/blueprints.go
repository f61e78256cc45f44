package entityui

import "github.com/portico-dev/portico/web/extension"

// Extension kinds of the entity page, as in Backstage's catalog-react blueprints.
const (
	KindCard         = "entity-card"
	KindContent      = "entity-content"
	KindHeaderAction = "entity-header-action"
)

// AttachHeaderAction is where entity header actions attach by default: the entity page's
// actions.
func AttachHeaderAction() extension.AttachTo {
	return extension.AttachTo{ID: EntityPageID, Input: ActionsInput}
}

// CardTypes are the layout areas an entity card may ask for in config.type.
func CardTypes() []string { return []string{"summary", "info", "content"} }

// CardSpec describes an entity card (kind entity-card): config {filter, type}.
type CardSpec struct {
	Namespace, Name string
	Filter          any    // default filter string or predicate object
	Type            string // default layout area: summary, info or content
	Disabled        bool
	Renderer        CardRenderer
}

// CardExtension returns an entity-card extension attached to the overview tab's cards
// (Backstage's EntityCardBlueprint).
func CardExtension(s CardSpec) extension.Extension {
	typ := map[string]any{"type": "string", "enum": CardTypes()}
	if s.Type != "" {
		typ["default"] = s.Type
	}
	return extension.Extension{
		ID:       extension.MakeID(KindCard, s.Namespace, s.Name),
		AttachTo: AttachCard(),
		Disabled: s.Disabled,
		ConfigSchema: extension.ObjectSchema(map[string]any{
			"filter": extension.FilterSchema(),
			"type":   typ,
		}),
		Filter:   s.Filter,
		Renderer: s.Renderer,
	}
}

// ContentSpec describes an entity tab (kind entity-content): config
// {path, title, filter, group, icon}; group false keeps the tab out of any group.
type ContentSpec struct {
	Namespace, Name string
	Path, Title     string
	Group, Icon     string
	Filter          any
	Disabled        bool
	Renderer        ContentRenderer
}

// ContentExtension returns an entity-content extension attached to the entity page's contents
// (Backstage's EntityContentBlueprint).
func ContentExtension(s ContentSpec) extension.Extension {
	group := map[string]any{"anyOf": []any{
		map[string]any{"type": "string"},
		map[string]any{"const": false},
	}}
	if s.Group != "" {
		group["default"] = s.Group
	}
	return extension.Extension{
		ID:       extension.MakeID(KindContent, s.Namespace, s.Name),
		AttachTo: AttachContent(),
		Disabled: s.Disabled,
		ConfigSchema: extension.ObjectSchema(map[string]any{
			"path":   extension.StringSchema(s.Path),
			"title":  extension.StringSchema(s.Title),
			"filter": extension.FilterSchema(),
			"group":  group,
			"icon":   extension.StringSchema(s.Icon),
		}),
		Filter:   s.Filter,
		Renderer: s.Renderer,
	}
}

// HeaderActionSpec describes an entity page header action (kind entity-header-action):
// config {filter}.
type HeaderActionSpec struct {
	Namespace, Name string
	Filter          any
	Disabled        bool
	Renderer        HeaderActionRenderer
}

// HeaderActionExtension returns an entity-header-action extension attached to the entity
// page's header.
func HeaderActionExtension(s HeaderActionSpec) extension.Extension {
	return extension.Extension{
		ID:           extension.MakeID(KindHeaderAction, s.Namespace, s.Name),
		AttachTo:     AttachHeaderAction(),
		Disabled:     s.Disabled,
		ConfigSchema: extension.ObjectSchema(map[string]any{"filter": extension.FilterSchema()}),
		Filter:       s.Filter,
		Renderer:     s.Renderer,
	}
}
