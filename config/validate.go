package config

import (
	"github.com/portico-dev/portico/framework/jsvalue"

	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	jskind "github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Problem is one way the config breaks a schema, located at the value that came from a file.
type Problem struct {
	File    string
	Line    int
	Key     string
	Message string
}

// String renders "file:line: key: message", leaving out unknown parts.
func (p Problem) String() string {
	return formatLocated(p.File, p.Line, p.Key, p.Message)
}

// schemaBaseURL names contributed schemas inside the compiler; nothing is fetched from it.
const schemaBaseURL = "https://schemas.portico.invalid/config/"

// Validate checks the config against all schemas (combined with allOf); every problem is
// returned, sorted by file and line. A sub-reader is validated as the whole tree it belongs to. A required key that is missing is reported against its
// parent object. The error is only for broken schemas.
//
// As in Backstage, scalar types are coerced where the schema asks for another type: "7007" is a
// valid number and 42 a valid string, since ${VAR} interpolation always yields strings.
func Validate(c *Config, schemas []Schema) ([]Problem, error) {
	if len(schemas) == 0 {
		return nil, nil
	}
	docs, err := parseSchemas(schemas)
	if err != nil {
		return nil, err
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft7)
	comp.AssertVocabs()
	comp.RegisterVocabulary(visibilityVocabulary())
	refs := make([]any, len(schemas))
	for i, s := range schemas {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(s.JSON))
		if err != nil {
			return nil, fmt.Errorf("config schema %q: %w", s.Owner, err)
		}
		u := schemaBaseURL + strconv.Itoa(i) + ".json"
		if err := comp.AddResource(u, doc); err != nil {
			return nil, fmt.Errorf("config schema %q: %w", s.Owner, err)
		}
		if _, err := comp.Compile(u); err != nil {
			return nil, fmt.Errorf("config schema %q: %w", s.Owner, err)
		}
		refs[i] = map[string]any{"$ref": u}
	}
	all := schemaBaseURL + "all.json"
	if err := comp.AddResource(all, map[string]any{"allOf": refs}); err != nil {
		return nil, fmt.Errorf("combine config schemas: %w", err)
	}
	sch, err := comp.Compile(all)
	if err != nil {
		return nil, fmt.Errorf("combine config schemas: %w", err)
	}

	err = sch.Validate(coerce(c.root, docRoots(docs)))
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("validate config: %w", err)
	}
	col := &problemCollector{root: c.root, printer: message.NewPrinter(language.English), seen: map[Problem]bool{}}
	col.collect(ve)
	slices.SortFunc(col.problems, func(a, b Problem) int {
		switch {
		case a.File != b.File:
			return strings.Compare(a.File, b.File)
		case a.Line != b.Line:
			return a.Line - b.Line
		case a.Key != b.Key:
			return strings.Compare(a.Key, b.Key)
		default:
			return strings.Compare(a.Message, b.Message)
		}
	})
	return col.problems, nil
}

// visibilityVocabulary makes the compiler check the visibility keywords' values everywhere in a
// schema, so a typo fails loudly instead of silently exposing or hiding config.
func visibilityVocabulary() *jsonschema.Vocabulary {
	return &jsonschema.Vocabulary{
		URL: "https://schemas.portico.invalid/vocab/visibility",
		Compile: func(_ *jsonschema.CompilerContext, obj map[string]any) (jsonschema.SchemaExt, error) {
			for _, kw := range []string{"visibility", "deepVisibility"} {
				if v, ok := obj[kw]; ok {
					if s, _ := v.(string); !validVisibility(s) {
						return nil, fmt.Errorf("invalid %s %v, want frontend, backend or secret", kw, v)
					}
				}
			}
			return nil, nil
		},
	}
}

// coerce converts the tree to plain values for validation, turning scalars into the type the
// schema asks for when that is possible (as ajv's coerceTypes does in Backstage).
func coerce(n *node, nodes []*snode) any {
	app := applicable(nodes, n)
	switch n.kind {
	case kindObject:
		out := make(map[string]any, len(n.obj))
		for k, child := range n.obj {
			out[k] = coerce(child, childSchemas(app, k))
		}
		return out
	case kindArray:
		out := make([]any, len(n.arr))
		for i, el := range n.arr {
			out[i] = coerce(el, itemSchemas(app, i))
		}
		return out
	default:
		constraints := typeConstraints(app)
		if satisfies(n, constraints) {
			return plain(n)
		}
		for _, alt := range coercions(n) {
			if satisfies(alt, constraints) {
				return plain(alt)
			}
		}
		return plain(n)
	}
}

// typeConstraints lists the type lists a value must meet: each node's "type", and for each
// anyOf/oneOf the union of its branches' types (when every branch declares one).
func typeConstraints(app []*snode) [][]string {
	var out [][]string
	for _, s := range app {
		if len(s.types) > 0 {
			out = append(out, s.types)
		}
		for _, group := range [][]*snode{s.anyOf, s.oneOf} {
			if len(group) == 0 {
				continue
			}
			var union []string
			for _, b := range group {
				t := b.types
				if len(t) == 0 && b.refNode != nil {
					t = b.refNode.types
				}
				if len(t) == 0 {
					union = nil
					break
				}
				union = append(union, t...)
			}
			if union != nil {
				out = append(out, union)
			}
		}
	}
	return out
}

func satisfies(n *node, constraints [][]string) bool {
	for _, c := range constraints {
		if !typeAllows(c, n) {
			return false
		}
	}
	return true
}

// coercions lists the other scalar values n could stand for.
func coercions(n *node) []*node {
	switch n.kind {
	case kindString:
		var out []*node
		if f, ok := parseNumeric(n.str); ok {
			out = append(out, &node{kind: kindNumber, num: f})
		}
		if n.str == "true" || n.str == "false" {
			out = append(out, &node{kind: kindBool, b: n.str == "true"})
		}
		return out
	case kindNumber:
		return []*node{{kind: kindString, str: jsvalue.FormatNumber(n.num)}}
	case kindBool:
		return []*node{{kind: kindString, str: strconv.FormatBool(n.b)}}
	default:
		return nil
	}
}

// problemCollector turns the library's error tree into located problems.
type problemCollector struct {
	root     *node
	printer  *message.Printer
	problems []Problem
	seen     map[Problem]bool
}

func (p *problemCollector) add(loc []string, msg string) {
	n, key := locate(p.root, loc)
	pr := Problem{Key: key, Message: msg}
	if n != nil {
		pr.File, pr.Line = n.file, n.line
	}
	if !p.seen[pr] {
		p.seen[pr] = true
		p.problems = append(p.problems, pr)
	}
}

func (p *problemCollector) collect(e *jsonschema.ValidationError) {
	loc := e.InstanceLocation
	switch k := e.ErrorKind.(type) {
	case *jskind.Required:
		for _, m := range k.Missing {
			p.add(loc, fmt.Sprintf("missing required key '%s'", m))
		}
	case *jskind.AdditionalProperties:
		for _, prop := range k.Properties {
			p.add(append(slices.Clip(loc), prop), "unknown key, not allowed by the schema")
		}
	case *jskind.Type:
		p.add(loc, fmt.Sprintf("invalid type, got %s, wanted %s", k.Got, strings.Join(k.Want, " or ")))
	case *jskind.AnyOf:
		p.alternatives(e, "value does not match any of the allowed forms")
	case *jskind.OneOf:
		if k.Subschemas != nil {
			p.add(loc, "value matches more than one of the allowed forms")
			return
		}
		p.alternatives(e, "value does not match any of the allowed forms")
	default:
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				p.collect(c)
			}
			return
		}
		p.add(loc, e.ErrorKind.LocalizedString(p.printer))
	}
}

// alternatives reports a failed anyOf/oneOf. When exactly one branch has the right type, its
// errors are the useful ones; when every branch has the wrong type, say which types fit.
func (p *problemCollector) alternatives(e *jsonschema.ValidationError, fallback string) {
	var candidates []*jsonschema.ValidationError
	var got string
	var want []string
	for _, branch := range e.Causes {
		if t := typeErrorAt(branch, e.InstanceLocation); t != nil {
			got = t.Got
			for _, w := range t.Want {
				if !slices.Contains(want, w) {
					want = append(want, w)
				}
			}
			continue
		}
		candidates = append(candidates, branch)
	}
	switch {
	case len(candidates) == 1:
		p.collect(candidates[0])
	case len(candidates) == 0 && got != "":
		p.add(e.InstanceLocation, fmt.Sprintf("invalid type, got %s, wanted %s", got, strings.Join(want, " or ")))
	default:
		p.add(e.InstanceLocation, fallback)
	}
}

// typeErrorAt finds a type error about the value at loc itself within an error tree.
func typeErrorAt(e *jsonschema.ValidationError, loc []string) *jskind.Type {
	if t, ok := e.ErrorKind.(*jskind.Type); ok && slices.Equal(e.InstanceLocation, loc) {
		return t
	}
	for _, c := range e.Causes {
		if t := typeErrorAt(c, loc); t != nil {
			return t
		}
	}
	return nil
}

// locate follows instance location tokens from root. It returns the deepest existing value on
// the way, so a problem about a missing value still points at a file and line, and the full key
// of the location.
func locate(root *node, loc []string) (*node, string) {
	cur, deepest := root, root
	var key strings.Builder
	for _, tok := range loc {
		if cur != nil && cur.kind == kindArray {
			key.WriteString("[" + tok + "]")
			i, err := strconv.Atoi(tok)
			if err == nil && i >= 0 && i < len(cur.arr) {
				cur = cur.arr[i]
			} else {
				cur = nil
			}
		} else {
			if key.Len() > 0 {
				key.WriteByte('.')
			}
			key.WriteString(tok)
			if cur != nil && cur.kind == kindObject {
				cur = cur.obj[tok]
			} else {
				cur = nil
			}
		}
		if cur != nil {
			deepest = cur
		}
	}
	return deepest, key.String()
}
