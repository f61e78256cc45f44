package model

import "regexp"

// Schema constructors shared by the envelope and kind schemas. Each call builds fresh values so
// no schema is shared between validators.

func stringSchema() *Schema { return &Schema{Types: []string{"string"}} }

func nonEmptyString() *Schema { return &Schema{Types: []string{"string"}, MinLength: 1} }

func objectSchema(props ...Property) *Schema {
	return &Schema{Types: []string{"object"}, Properties: props}
}

func nonEmptyStrings() *Schema {
	return &Schema{Types: []string{"array"}, Items: nonEmptyString()}
}

func prop(name string, s *Schema) Property { return Property{Name: name, Schema: s} }

// envelopeSchema mirrors Backstage's EntityEnvelope schema: the minimum needed to give an entity
// a reference, checked before any processing.
func envelopeSchema() *Schema {
	return &Schema{
		Types:    []string{"object"},
		Required: []string{"apiVersion", "kind", "metadata"},
		Properties: []Property{
			prop("apiVersion", nonEmptyString()),
			prop("kind", nonEmptyString()),
			prop("metadata", &Schema{
				Types:    []string{"object"},
				Required: []string{"name"},
				Properties: []Property{
					prop("name", nonEmptyString()),
					prop("namespace", nonEmptyString()),
				},
			}),
		},
	}
}

// entitySchema mirrors Backstage's Entity, EntityMeta and common schemas, which its
// SchemaValidEntityPolicy checks.
func entitySchema() *Schema {
	one := 1.0
	meta := &Schema{
		Types:    []string{"object"},
		Required: []string{"name"},
		Properties: []Property{
			prop("uid", nonEmptyString()),
			prop("etag", nonEmptyString()),
			prop("generation", &Schema{Types: []string{"integer"}, Minimum: &one}),
			prop("name", nonEmptyString()),
			prop("namespace", nonEmptyString()),
			prop("title", stringSchema()),
			prop("description", stringSchema()),
			prop("labels", &Schema{Types: []string{"object"}, AdditionalProperties: stringSchema()}),
			prop("annotations", &Schema{Types: []string{"object"}, AdditionalProperties: stringSchema()}),
			prop("tags", nonEmptyStrings()),
			prop("links", &Schema{Types: []string{"array"}, Items: &Schema{
				Types:    []string{"object"},
				Required: []string{"url"},
				Properties: []Property{
					prop("url", nonEmptyString()),
					prop("title", nonEmptyString()),
					prop("icon", nonEmptyString()),
					prop("type", nonEmptyString()),
				},
			}}),
		},
	}
	reference := &Schema{
		Types:    []string{"object"},
		Required: []string{"kind", "namespace", "name"},
		Properties: []Property{
			prop("kind", nonEmptyString()),
			prop("namespace", nonEmptyString()),
			prop("name", nonEmptyString()),
		},
	}
	relation := &Schema{
		Types:    []string{"object"},
		Required: []string{"type", "targetRef"},
		Properties: []Property{
			prop("type", &Schema{Types: []string{"string"}, MinLength: 1, Pattern: regexp.MustCompile(`^\w+$`)}),
			prop("targetRef", nonEmptyString()),
			prop("target", reference),
		},
	}
	serializedError := &Schema{
		Types:    []string{"object"},
		Required: []string{"name", "message"},
		Properties: []Property{
			prop("name", nonEmptyString()),
			prop("message", stringSchema()),
			prop("code", stringSchema()),
			prop("stack", stringSchema()),
		},
	}
	status := objectSchema(prop("items", &Schema{Types: []string{"array"}, Items: &Schema{
		Types:    []string{"object"},
		Required: []string{"type", "level", "message"},
		Properties: []Property{
			prop("type", nonEmptyString()),
			prop("level", &Schema{Types: []string{"string"}, Enum: []string{StatusLevelInfo, StatusLevelWarning, StatusLevelError}}),
			prop("message", stringSchema()),
			prop("error", serializedError),
		},
	}}))
	return &Schema{
		Types:                  []string{"object"},
		Required:               []string{"apiVersion", "kind", "metadata"},
		NoAdditionalProperties: true,
		Properties: []Property{
			prop("apiVersion", nonEmptyString()),
			prop("kind", nonEmptyString()),
			prop("metadata", meta),
			prop("spec", &Schema{Types: []string{"object"}}),
			prop("relations", &Schema{Types: []string{"array"}, Items: relation}),
			prop("status", status),
		},
	}
}
