package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Schema is one JSON Schema (draft-07 superset, as JSON bytes) contributed by a plugin/package.
type Schema struct {
	Owner string
	JSON  []byte
}

// Visibility levels of the "visibility" and "deepVisibility" keywords.
const (
	visFrontend = "frontend"
	visBackend  = "backend"
	visSecret   = "secret"
)

func validVisibility(s string) bool {
	return s == visFrontend || s == visBackend || s == visSecret
}

// snode is the part of a schema node that visibility and type coercion need. Validation
// itself is left to the jsonschema library.
type snode struct {
	never           bool // the false schema
	visibility      string
	deepVisibility  string
	types           []string
	required        []string
	ref             string
	refNode         *snode
	properties      map[string]*snode
	patterns        []patternNode
	additional      *snode
	items           *snode
	tuple           []*snode
	additionalItems *snode
	allOf           []*snode
	anyOf           []*snode
	oneOf           []*snode
}

type patternNode struct {
	pattern string
	re      *regexp.Regexp
	node    *snode
}

// schemaDoc is one contributed schema, with its nodes indexed by JSON pointer so local $refs
// resolve within the same document.
type schemaDoc struct {
	owner   string
	raw     any
	root    *snode
	byPtr   map[string]*snode
	pending []*snode // nodes whose $ref is not resolved yet
}

// parseSchemas reads every contributed schema.
func parseSchemas(schemas []Schema) ([]*schemaDoc, error) {
	docs := make([]*schemaDoc, 0, len(schemas))
	for _, s := range schemas {
		d, err := parseSchemaDoc(s)
		if err != nil {
			return nil, fmt.Errorf("config schema %q: %w", s.Owner, err)
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func parseSchemaDoc(s Schema) (*schemaDoc, error) {
	dec := json.NewDecoder(bytes.NewReader(s.JSON))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	d := &schemaDoc{owner: s.Owner, raw: raw, byPtr: map[string]*snode{}}
	root, err := d.build(raw, "")
	if err != nil {
		return nil, err
	}
	d.root = root
	for len(d.pending) > 0 {
		n := d.pending[0]
		d.pending = d.pending[1:]
		target, err := d.resolveRef(n.ref)
		if err != nil {
			return nil, err
		}
		n.refNode = target
	}
	return d, nil
}

// resolveRef finds a "#/json/pointer" reference in the same document. References to other
// documents are left unresolved: visibility does not follow them.
func (d *schemaDoc) resolveRef(ref string) (*snode, error) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, nil
	}
	ptr, err := url.PathUnescape(frag)
	if err != nil {
		return nil, fmt.Errorf("invalid $ref %q: %w", ref, err)
	}
	if n, ok := d.byPtr[ptr]; ok {
		return n, nil
	}
	if ptr != "" && !strings.HasPrefix(ptr, "/") {
		return nil, nil // an anchor ("#foo"), not a pointer
	}
	cur := d.raw
	if ptr != "" {
		for _, tok := range strings.Split(ptr[1:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			switch v := cur.(type) {
			case map[string]any:
				next, ok := v[tok]
				if !ok {
					return nil, fmt.Errorf("$ref %q does not resolve", ref)
				}
				cur = next
			case []any:
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(v) {
					return nil, fmt.Errorf("$ref %q does not resolve", ref)
				}
				cur = v[i]
			default:
				return nil, fmt.Errorf("$ref %q does not resolve", ref)
			}
		}
	}
	return d.build(cur, ptr)
}

func escapePtr(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

func (d *schemaDoc) build(raw any, ptr string) (*snode, error) {
	if n, ok := d.byPtr[ptr]; ok {
		return n, nil
	}
	if b, ok := raw.(bool); ok {
		n := &snode{never: !b}
		d.byPtr[ptr] = n
		return n, nil
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema at %q must be an object or a boolean", "#"+ptr)
	}
	n := &snode{}
	d.byPtr[ptr] = n
	var err error
	if n.visibility, err = visibilityKeyword(obj, "visibility", ptr); err != nil {
		return nil, err
	}
	if n.deepVisibility, err = visibilityKeyword(obj, "deepVisibility", ptr); err != nil {
		return nil, err
	}
	switch t := obj["type"].(type) {
	case string:
		n.types = []string{t}
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				n.types = append(n.types, s)
			}
		}
	}
	if req, ok := obj["required"].([]any); ok {
		for _, e := range req {
			if s, ok := e.(string); ok {
				n.required = append(n.required, s)
			}
		}
	}
	if ref, ok := obj["$ref"].(string); ok {
		n.ref = ref
		d.pending = append(d.pending, n)
	}
	if props, ok := obj["properties"].(map[string]any); ok {
		n.properties = map[string]*snode{}
		for _, k := range slices.Sorted(maps.Keys(props)) {
			v := props[k]
			if n.properties[k], err = d.build(v, ptr+"/properties/"+escapePtr(k)); err != nil {
				return nil, err
			}
		}
	}
	if pats, ok := obj["patternProperties"].(map[string]any); ok {
		for _, p := range slices.Sorted(maps.Keys(pats)) {
			v := pats[p]
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("schema at %q: invalid pattern %q: %w", "#"+ptr, p, err)
			}
			pn, err := d.build(v, ptr+"/patternProperties/"+escapePtr(p))
			if err != nil {
				return nil, err
			}
			n.patterns = append(n.patterns, patternNode{pattern: p, re: re, node: pn})
		}
	}
	if v, ok := obj["additionalProperties"]; ok {
		if n.additional, err = d.build(v, ptr+"/additionalProperties"); err != nil {
			return nil, err
		}
	}
	switch items := obj["items"].(type) {
	case []any:
		for i, v := range items {
			it, err := d.build(v, ptr+"/items/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			n.tuple = append(n.tuple, it)
		}
		if v, ok := obj["additionalItems"]; ok {
			if n.additionalItems, err = d.build(v, ptr+"/additionalItems"); err != nil {
				return nil, err
			}
		}
	case nil:
	default:
		if n.items, err = d.build(items, ptr+"/items"); err != nil {
			return nil, err
		}
	}
	for _, g := range []struct {
		kw  string
		dst *[]*snode
	}{{"allOf", &n.allOf}, {"anyOf", &n.anyOf}, {"oneOf", &n.oneOf}} {
		kw, dst := g.kw, g.dst
		list, ok := obj[kw].([]any)
		if !ok {
			continue
		}
		for i, v := range list {
			s, err := d.build(v, ptr+"/"+kw+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			*dst = append(*dst, s)
		}
	}
	return n, nil
}

func visibilityKeyword(obj map[string]any, kw, ptr string) (string, error) {
	v, ok := obj[kw]
	if !ok {
		return "", nil
	}
	s, _ := v.(string)
	if !validVisibility(s) {
		return "", fmt.Errorf("schema at %q: invalid %s %v, want frontend, backend or secret", "#"+ptr, kw, v)
	}
	return s, nil
}

// applicable returns the schema nodes that apply to data: the given ones plus everything
// reached through $ref and allOf, and the anyOf/oneOf branches whose type and required keys fit.
func applicable(nodes []*snode, data *node) []*snode {
	var out []*snode
	seen := map[*snode]bool{}
	var visit func(n *snode)
	visit = func(n *snode) {
		if n == nil || n.never || seen[n] {
			return
		}
		seen[n] = true
		out = append(out, n)
		visit(n.refNode)
		for _, s := range n.allOf {
			visit(s)
		}
		for _, group := range [][]*snode{n.anyOf, n.oneOf} {
			for _, s := range group {
				if fits(s, data, 0) {
					visit(s)
				}
			}
		}
	}
	for _, n := range nodes {
		visit(n)
	}
	return out
}

// fits is a cheap check that a branch can describe data: declared types and required keys.
func fits(n *snode, data *node, depth int) bool {
	if n == nil || depth > 16 {
		return true
	}
	if n.never {
		return false
	}
	if len(n.types) > 0 && !typeAllows(n.types, data) {
		return false
	}
	if data.kind == kindObject {
		for _, r := range n.required {
			if _, ok := data.obj[r]; !ok {
				return false
			}
		}
	}
	if n.refNode != nil && !fits(n.refNode, data, depth+1) {
		return false
	}
	for _, s := range n.allOf {
		if !fits(s, data, depth+1) {
			return false
		}
	}
	return true
}

func typeAllows(types []string, data *node) bool {
	for _, t := range types {
		switch {
		case t == "object" && data.kind == kindObject,
			t == "array" && data.kind == kindArray,
			t == "string" && data.kind == kindString,
			t == "boolean" && data.kind == kindBool,
			t == "null" && data.kind == kindNull,
			t == "number" && data.kind == kindNumber,
			t == "integer" && data.kind == kindNumber && data.num == math.Trunc(data.num):
			return true
		}
	}
	return false
}

// childSchemas returns the schema nodes for an object's key, following JSON Schema:
// additionalProperties applies only when no property or pattern matched.
func childSchemas(nodes []*snode, key string) []*snode {
	var out []*snode
	for _, n := range nodes {
		matched := false
		if p, ok := n.properties[key]; ok {
			out = append(out, p)
			matched = true
		}
		for _, pn := range n.patterns {
			if pn.re.MatchString(key) {
				out = append(out, pn.node)
				matched = true
			}
		}
		if !matched && n.additional != nil {
			out = append(out, n.additional)
		}
	}
	return out
}

// itemSchemas returns the schema nodes for element i of an array.
func itemSchemas(nodes []*snode, i int) []*snode {
	var out []*snode
	for _, n := range nodes {
		switch {
		case n.items != nil:
			out = append(out, n.items)
		case i < len(n.tuple):
			out = append(out, n.tuple[i])
		case n.tuple != nil && n.additionalItems != nil:
			out = append(out, n.additionalItems)
		}
	}
	return out
}

func docRoots(docs []*schemaDoc) []*snode {
	roots := make([]*snode, len(docs))
	for i, d := range docs {
		roots[i] = d.root
	}
	return roots
}
