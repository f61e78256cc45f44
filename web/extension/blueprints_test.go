package extension

// EntityCard and EntityContent are the catalog's entity blueprints (plugins/catalog/entityui)
// in miniature, for the tests: the package itself knows no plugin's kinds.

type EntityCardSpec struct {
	Namespace, Name string
	Filter          any
	Type            string
	Disabled        bool
}

func EntityCard(s EntityCardSpec) Extension {
	typ := map[string]any{"type": "string", "enum": []string{"summary", "info", "content"}}
	if s.Type != "" {
		typ["default"] = s.Type
	}
	return Extension{
		ID:           MakeID("entity-card", s.Namespace, s.Name),
		AttachTo:     AttachTo{ID: "entity-content:catalog/overview", Input: "cards"},
		Disabled:     s.Disabled,
		ConfigSchema: ObjectSchema(map[string]any{"filter": FilterSchema(), "type": typ}),
		Filter:       s.Filter,
	}
}

type EntityContentSpec struct {
	Namespace, Name string
	Path, Title     string
	Filter          any
}

func EntityContent(s EntityContentSpec) Extension {
	return Extension{
		ID:       MakeID("entity-content", s.Namespace, s.Name),
		AttachTo: AttachTo{ID: "page:catalog/entity", Input: "contents"},
		ConfigSchema: ObjectSchema(map[string]any{
			"path": StringSchema(s.Path), "title": StringSchema(s.Title), "filter": FilterSchema(),
		}),
		Filter: s.Filter,
	}
}
