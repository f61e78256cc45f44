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

// requiredObject is an object schema whose listed properties must be present.
func requiredObject(required []string, props ...Property) *Schema {
	return &Schema{Types: []string{"object"}, Required: required, Properties: props}
}

func arrayOf(items *Schema) *Schema { return &Schema{Types: []string{"array"}, Items: items} }

func stringEnum(values ...string) *Schema { return &Schema{Types: []string{"string"}, Enum: values} }

// nonEmptyStringProps lists properties that each hold a non-empty string.
func nonEmptyStringProps(names ...string) []Property {
	props := make([]Property, len(names))
	for i, n := range names {
		props[i] = prop(n, nonEmptyString())
	}
	return props
}

// nonEmptyStringsProps lists properties that each hold an array of non-empty strings.
func nonEmptyStringsProps(names ...string) []Property {
	props := make([]Property, len(names))
	for i, n := range names {
		props[i] = prop(n, nonEmptyStrings())
	}
	return props
}

// envelopeSchema mirrors Backstage's EntityEnvelope schema: the minimum needed to give an entity
// a reference, checked before any processing.
func envelopeSchema() *Schema {
	return requiredObject([]string{"apiVersion", "kind", "metadata"},
		prop("apiVersion", nonEmptyString()),
		prop("kind", nonEmptyString()),
		prop("metadata", requiredObject([]string{"name"}, nonEmptyStringProps("name", "namespace")...)),
	)
}

// linkSchema is a link of metadata.links or of a v1beta2 template's output: a url with optional
// non-empty string properties.
func linkSchema(props ...string) *Schema {
	return requiredObject([]string{"url"}, nonEmptyStringProps(append([]string{"url"}, props...)...)...)
}

// entitySchema mirrors Backstage's Entity, EntityMeta and common schemas, which its
// SchemaValidEntityPolicy checks.
func entitySchema() *Schema {
	one := 1.0
	stringMap := func() *Schema { return &Schema{Types: []string{"object"}, AdditionalProperties: stringSchema()} }
	meta := requiredObject([]string{"name"},
		prop("uid", nonEmptyString()),
		prop("etag", nonEmptyString()),
		prop("generation", &Schema{Types: []string{"integer"}, Minimum: &one}),
		prop("name", nonEmptyString()),
		prop("namespace", nonEmptyString()),
		prop("title", stringSchema()),
		prop("description", stringSchema()),
		prop("labels", stringMap()),
		prop("annotations", stringMap()),
		prop("tags", nonEmptyStrings()),
		prop("links", arrayOf(linkSchema("title", "icon", "type"))),
	)
	reference := requiredObject([]string{"kind", "namespace", "name"}, nonEmptyStringProps("kind", "namespace", "name")...)
	relation := requiredObject([]string{"type", "targetRef"},
		prop("type", &Schema{Types: []string{"string"}, MinLength: 1, Pattern: regexp.MustCompile(`^\w+$`)}),
		prop("targetRef", nonEmptyString()),
		prop("target", reference),
	)
	serializedError := requiredObject([]string{"name", "message"},
		prop("name", nonEmptyString()),
		prop("message", stringSchema()),
		prop("code", stringSchema()),
		prop("stack", stringSchema()),
	)
	status := objectSchema(prop("items", arrayOf(requiredObject([]string{"type", "level", "message"},
		prop("type", nonEmptyString()),
		prop("level", stringEnum(StatusLevelInfo, StatusLevelWarning, StatusLevelError)),
		prop("message", stringSchema()),
		prop("error", serializedError),
	))))
	s := requiredObject([]string{"apiVersion", "kind", "metadata"},
		prop("apiVersion", nonEmptyString()),
		prop("kind", nonEmptyString()),
		prop("metadata", meta),
		prop("spec", objectSchema()),
		prop("relations", arrayOf(relation)),
		prop("status", status),
	)
	s.NoAdditionalProperties = true
	return s
}
