package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/portico-dev/portico/framework/jsvalue"
	"go.yaml.in/yaml/v3"
)

// ParseDocument parses a Template from JSON or YAML text, keeping the order of every page's
// properties (Go maps forget it; forms must not).
func ParseDocument(doc []byte) (*Template, error) {
	var n yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(doc)).Decode(&n); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	m, err := toJSONValue(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	obj, ok := m.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: a template must be an object", ErrInvalid)
	}
	t, err := Parse(obj)
	if err != nil {
		return nil, err
	}
	t.Order = map[string][]string{}
	root := &n
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if steps := child(child(root, "spec"), "steps"); steps != nil && steps.Kind == yaml.SequenceNode && len(steps.Content) == len(t.Steps) {
		// Parse read the steps from maps; `each:` and `input:` keep the document's order.
		for i, sn := range steps.Content {
			if each := child(sn, "each"); each != nil && t.Steps[i].Each != nil {
				t.Steps[i].Each = orderLike(jsvalue.Plain(t.Steps[i].Each), each)
			}
			if in := child(sn, "input"); in != nil && t.Steps[i].Input != nil {
				t.Steps[i].Input, _ = orderLike(jsvalue.Plain(t.Steps[i].Input), in).(*jsvalue.Object)
			}
		}
	}
	params := child(child(root, "spec"), "parameters")
	switch {
	case params == nil:
	case params.Kind == yaml.MappingNode:
		recordOrder(params, "0", t.Order)
	case params.Kind == yaml.SequenceNode:
		for i, p := range params.Content {
			recordOrder(p, strconv.Itoa(i), t.Order)
		}
	}
	return t, nil
}

// toJSONValue converts YAML-decoded values to encoding/json's shapes.
func toJSONValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

// OrderedValue decodes the YAML (or JSON) node n as JSON values, its objects as
// *jsvalue.Object in the document's key order (keys a merge key brings in follow, sorted).
func OrderedValue(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	plain, err := toJSONValue(v)
	if err != nil {
		return nil, err
	}
	return orderLike(plain, n), nil
}

// orderLike returns the decoded value plain with its objects ordered as the mappings of n,
// the node it was decoded from.
func orderLike(plain any, n *yaml.Node) any {
	for n != nil && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			n = nil
		}
	}
	switch x := plain.(type) {
	case map[string]any:
		o := jsvalue.NewObject(len(x))
		if n != nil && n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if v, ok := x[k]; ok {
					o.Set(k, orderLike(v, n.Content[i+1]))
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if _, done := o.Get(k); !done {
				o.Set(k, jsvalue.Ordered(x[k]))
			}
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var en *yaml.Node
			if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
				en = n.Content[i]
			}
			out[i] = orderLike(e, en)
		}
		return out
	}
	return plain
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// recordOrder stores the key order of the "properties" of schema n under path, and recurses
// into nested object properties (path "<page>/<prop>/<prop>").
func recordOrder(n *yaml.Node, path string, out map[string][]string) {
	props := child(n, "properties")
	if props == nil || props.Kind != yaml.MappingNode {
		return
	}
	var keys []string
	for i := 0; i+1 < len(props.Content); i += 2 {
		k := props.Content[i].Value
		keys = append(keys, k)
		recordOrder(props.Content[i+1], path+"/"+k, out)
	}
	out[path] = keys
}

// AdoptOrder takes the key order of src, the same template read from its own document, for
// the parameter pages and the objects of the steps' input and each (t's values are kept: the
// catalog may have changed them; keys src lacks follow in t's order).
func (t *Template) AdoptOrder(src *Template) {
	t.Order = src.Order
	if len(src.Steps) != len(t.Steps) {
		return
	}
	for i, s := range src.Steps {
		st := &t.Steps[i]
		if s.ID != st.ID || s.Action != st.Action {
			continue
		}
		st.Each = orderAs(st.Each, s.Each)
		if st.Input != nil && s.Input != nil {
			st.Input = orderAs(st.Input, s.Input).(*jsvalue.Object)
		}
	}
}

// orderAs returns v with its objects' keys in the order of the matching objects of like.
func orderAs(v, like any) any {
	switch x := v.(type) {
	case *jsvalue.Object:
		l, ok := like.(*jsvalue.Object)
		if !ok {
			return x
		}
		out := jsvalue.NewObject(x.Len())
		for _, k := range l.Keys() {
			if e, ok := x.Get(k); ok {
				le, _ := l.Get(k)
				out.Set(k, orderAs(e, le))
			}
		}
		for _, k := range x.Keys() {
			if _, done := out.Get(k); !done {
				e, _ := x.Get(k)
				out.Set(k, e)
			}
		}
		return out
	case []any:
		l, _ := like.([]any)
		out := make([]any, len(x))
		for i, e := range x {
			var le any
			if i < len(l) {
				le = l[i]
			}
			out[i] = orderAs(e, le)
		}
		return out
	}
	return v
}

// PropertyOrder returns the properties of the schema at path ("<page>" or
// "<page>/<prop>/…") in document order; keys missing from the recorded order follow sorted.
func (t *Template) PropertyOrder(path string, props map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range t.Order[path] {
		if _, ok := props[k]; ok && !seen[k] {
			out = append(out, k)
			seen[k] = true
		}
	}
	var rest []string
	for k := range props {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sortStrings(rest)
	return append(out, rest...)
}
