package apidef

import (
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// object is a mapping that keeps its keys in document order, so operations, properties and
// channels show in the order their authors wrote them.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(key string) any {
	if o == nil {
		return nil
	}
	return o.vals[key]
}

// MarshalJSON writes the object with its keys in document order (for examples).
func (o *object) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// parseDocument decodes YAML or JSON (a subset of YAML) into objects, slices and scalars.
func parseDocument(text string) (*object, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		return nil, fmt.Errorf("parse definition: %w", err)
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return nil, fmt.Errorf("parse definition: the document is empty")
	}
	v, err := convert(n.Content[0], 0)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("parse definition: the document is not a mapping")
	}
	return o, nil
}

// maxNesting bounds the nesting depth of a document (and alias expansion), so a hostile
// definition cannot exhaust the stack.
const maxNesting = 200

func convert(n *yaml.Node, depth int) (any, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("parse definition: nested more than %d levels", maxNesting)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return convert(n.Alias, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return convert(n.Content[0], depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := convert(c, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		o := &object{vals: make(map[string]any, len(n.Content)/2)}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			v, err := convert(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			if _, dup := o.vals[k]; !dup {
				o.keys = append(o.keys, k)
			}
			o.vals[k] = v
		}
		return o, nil
	case yaml.ScalarNode:
		if n.Tag == "!!timestamp" || n.Tag == "!!binary" {
			return n.Value, nil // keep dates and base64 as written
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value, nil
		}
		return v, nil
	}
	return nil, nil
}

func asObject(v any) *object { o, _ := v.(*object); return o }

func asList(v any) []any { l, _ := v.([]any); return l }

// str returns a scalar as text ("" for mappings and lists).
func str(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case bool:
		return strconv.FormatBool(s)
	case int, int64, uint64, float64:
		return fmt.Sprint(s)
	}
	return ""
}

func (o *object) str(key string) string { return str(o.get(key)) }

func (o *object) obj(key string) *object { return asObject(o.get(key)) }

func (o *object) bool(key string) bool { b, _ := o.get(key).(bool); return b }

// pointer resolves a local JSON pointer ("#/components/schemas/Pet") in root.
func pointer(root *object, ref string) (any, bool) {
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	var cur any = root
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := cur.(type) {
		case *object:
			v, ok := c.vals[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// members yields each key of o in order with its value, $ref chains followed in root, as an
// object (nil when it is not one). A nil o yields nothing.
func (o *object) members(root *object) iter.Seq2[string, *object] {
	return func(yield func(string, *object) bool) {
		if o == nil {
			return
		}
		for _, k := range o.keys {
			t, _ := deref(root, o.vals[k])
			if !yield(k, asObject(t)) {
				return
			}
		}
	}
}

// deref follows $ref chains of v in root (a bounded number of hops); it returns the target
// and the last ref followed, or v itself with "".
func deref(root *object, v any) (any, string) {
	ref := ""
	for range 16 {
		o := asObject(v)
		r := o.str("$ref")
		if r == "" {
			return v, ref
		}
		t, ok := pointer(root, r)
		if !ok {
			return v, r
		}
		v, ref = t, r
	}
	return v, ref
}

// example formats an example value: text as is, anything else as indented JSON.
func example(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
