package apidef

import (
	"slices"
	"strings"
)

// Schema is a JSON Schema (OpenAPI's or AsyncAPI's dialect) prepared for a nested table.
type Schema struct {
	Type        string // e.g. "object", "string (uuid)", "array", "string | null"
	Name        string // the component name when the schema came from a $ref
	Description string
	Enum        []string
	Default     string
	Example     string
	Constraints []string // minimum, maxLength, pattern… as "minimum: 1"
	Deprecated  bool
	ReadOnly    bool
	WriteOnly   bool
	Properties  []Property
	Items       *Schema // arrays
	Additional  *Schema // additionalProperties given as a schema
	Variants    []Variant
	Circular    bool // a $ref back into its own ancestors: not expanded again
	Truncated   bool // nested deeper than maxSchemaDepth: not expanded
}

// Property is one property of an object schema.
type Property struct {
	Name     string
	Required bool
	Schema   *Schema
}

// Variant is an alternative or a part of a composed schema: oneOf, anyOf or allOf.
type Variant struct {
	Kind    string // "one of", "any of", "all of"
	Schemas []*Schema
}

// HasDetails reports whether the schema has anything below its one-line summary.
func (s *Schema) HasDetails() bool {
	return s != nil && (len(s.Properties) > 0 || s.Items != nil || s.Additional != nil || len(s.Variants) > 0)
}

const maxSchemaDepth = 12

// schemaBuilder converts schemas of one document, resolving local $refs.
type schemaBuilder struct {
	root *object
}

func (b schemaBuilder) build(v any) *Schema {
	if v == nil {
		return nil
	}
	return b.walk(v, nil, 0)
}

func (b schemaBuilder) walk(v any, stack []string, depth int) *Schema {
	target, ref := deref(b.root, v)
	s := &Schema{}
	if ref != "" {
		s.Name = ref[strings.LastIndex(ref, "/")+1:]
		if slices.Contains(stack, ref) {
			s.Type, s.Circular = "object", true
			return s
		}
		stack = append(stack, ref)
	}
	o := asObject(target)
	if o == nil {
		if ref != "" {
			s.Type = "unresolved reference " + ref
		}
		return s
	}
	s.Type = schemaType(o)
	s.Description = o.str("description")
	if s.Description == "" {
		s.Description = o.str("title")
	}
	for _, e := range asList(o.get("enum")) {
		s.Enum = append(s.Enum, example(e))
	}
	if c, ok := o.vals["const"]; ok {
		s.Enum = append(s.Enum, example(c))
	}
	if d, ok := o.vals["default"]; ok {
		s.Default = example(d)
	}
	s.Example = example(o.get("example"))
	if s.Example == "" {
		if ex := asList(o.get("examples")); len(ex) > 0 {
			s.Example = example(ex[0])
		}
	}
	for _, k := range []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf", "minProperties", "maxProperties"} {
		if val := str(o.get(k)); val != "" {
			s.Constraints = append(s.Constraints, k+": "+val)
		}
	}
	s.Deprecated, s.ReadOnly, s.WriteOnly = o.bool("deprecated"), o.bool("readOnly"), o.bool("writeOnly")
	if depth >= maxSchemaDepth {
		s.Truncated = true
		return s
	}
	required := map[string]bool{}
	for _, r := range asList(o.get("required")) {
		required[str(r)] = true
	}
	if props := o.obj("properties"); props != nil {
		for _, name := range props.keys {
			s.Properties = append(s.Properties, Property{Name: name, Required: required[name], Schema: b.walk(props.vals[name], stack, depth+1)})
		}
	}
	if items := o.get("items"); items != nil {
		if asObject(items) != nil {
			s.Items = b.walk(items, stack, depth+1)
		}
	}
	if ap := asObject(o.get("additionalProperties")); ap != nil {
		s.Additional = b.walk(ap, stack, depth+1)
	}
	for _, c := range []struct{ key, kind string }{{"allOf", "all of"}, {"oneOf", "one of"}, {"anyOf", "any of"}} {
		list := asList(o.get(c.key))
		if len(list) == 0 {
			continue
		}
		vr := Variant{Kind: c.kind}
		for _, item := range list {
			vr.Schemas = append(vr.Schemas, b.walk(item, stack, depth+1))
		}
		s.Variants = append(s.Variants, vr)
	}
	return s
}

// schemaType summarises type and format: "string (date-time)", "array of Booking", "string | null".
func schemaType(o *object) string {
	var types []string
	switch t := o.get("type").(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			types = append(types, str(x))
		}
	}
	if len(types) == 0 {
		switch {
		case o.get("properties") != nil:
			types = []string{"object"}
		case o.get("items") != nil:
			types = []string{"array"}
		}
	}
	if o.bool("nullable") {
		types = append(types, "null")
	}
	t := strings.Join(types, " | ")
	if f := o.str("format"); f != "" {
		t += " (" + f + ")"
	}
	return t
}
