package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// redactedValue replaces secret values in Redacted output.
const redactedValue = "<secret>"

// Visibility knows, from the "visibility" and "deepVisibility" keywords of the schemas, which
// config values the frontend may see and which are secrets.
//
// "visibility" applies to the exact node it is declared on: an object marked frontend whose
// children are unmarked shows as {}. Primitive array elements without their own visibility share
// the array's. "deepVisibility" sets the default for a whole subtree, values the schema does not
// describe included; explicit visibility below it wins, except that nothing under a
// deepVisibility of secret may be marked frontend. For redaction an object or array declared
// "visibility: secret" hides everything under it, so nothing inside it leaks into logs.
type Visibility struct {
	roots []*snode
}

// NewVisibility reads the visibility keywords of schemas. Declaring one path frontend in one
// schema and secret in another (or frontend under a deepVisibility of secret) is an error.
func NewVisibility(schemas []Schema) (*Visibility, error) {
	docs, err := parseSchemas(schemas)
	if err != nil {
		return nil, err
	}
	if err := checkVisibilityConflicts(docs); err != nil {
		return nil, err
	}
	return &Visibility{roots: docRoots(docs)}, nil
}

// rank orders visibilities so conflicting runtime matches resolve to the most restrictive
// useful one: secret over frontend over backend.
func rank(v string) int {
	switch v {
	case visSecret:
		return 3
	case visFrontend:
		return 2
	case visBackend:
		return 1
	default:
		return 0
	}
}

func strongest(nodes []*snode, get func(*snode) string) string {
	best := ""
	for _, n := range nodes {
		if v := get(n); rank(v) > rank(best) {
			best = v
		}
	}
	return best
}

// visInfo is the visibility of one value: effective (after deepVisibility and array
// inheritance) and as declared on the value itself.
type visInfo struct {
	effective string
	explicit  string
}

// secretBelow reports whether everything under a value must be redacted: it carries an
// explicit "visibility: secret" (a secret object or array hides all of its contents).
func (i visInfo) secretBelow() bool { return i.explicit == visSecret }

// annotate computes the visibility of every value in the tree under root.
func (v *Visibility) annotate(root *node) map[*node]visInfo {
	eff := map[*node]visInfo{}
	var walk func(n *node, nodes []*snode, deep, arrayVis string)
	walk = func(n *node, nodes []*snode, deep, arrayVis string) {
		app := applicable(nodes, n)
		explicit := strongest(app, func(s *snode) string { return s.visibility })
		ownDeep := strongest(app, func(s *snode) string { return s.deepVisibility })
		if ownDeep != "" {
			deep = ownDeep
		}
		e := explicit
		switch {
		case e != "":
		case ownDeep != "":
			e = ownDeep
		case arrayVis != "" && isScalar(n):
			e = arrayVis
		case deep != "":
			e = deep
		default:
			e = visBackend
		}
		eff[n] = visInfo{effective: e, explicit: explicit}
		switch n.kind {
		case kindObject:
			for k, child := range n.obj {
				walk(child, childSchemas(app, k), deep, "")
			}
		case kindArray:
			for i, el := range n.arr {
				walk(el, itemSchemas(app, i), deep, e)
			}
		}
	}
	walk(root, v.roots, "", "")
	return eff
}

// Frontend returns only the frontend-visible values of c's tree.
func (v *Visibility) Frontend(c *Config) map[string]any {
	eff := v.annotate(c.root)
	var filter func(n *node) (any, bool)
	filter = func(n *node) (any, bool) {
		visible := eff[n].effective == visFrontend
		switch n.kind {
		case kindObject:
			out := map[string]any{}
			for k, child := range n.obj {
				if val, ok := filter(child); ok {
					out[k] = val
				}
			}
			return out, len(out) > 0 || visible
		case kindArray:
			out := []any{}
			for _, el := range n.arr {
				if val, ok := filter(el); ok {
					out = append(out, val)
				}
			}
			return out, len(out) > 0 || visible
		default:
			return plain(n), visible
		}
	}
	out, _ := filter(c.n)
	return out.(map[string]any)
}

// Redacted returns c's whole tree with every secret value replaced by "<secret>".
func (v *Visibility) Redacted(c *Config) map[string]any {
	eff := v.annotate(c.root)
	secretAbove := secretAncestors(c, eff)
	var redact func(n *node, secret bool) any
	redact = func(n *node, secret bool) any {
		switch n.kind {
		case kindObject:
			out := make(map[string]any, len(n.obj))
			for k, child := range n.obj {
				out[k] = redact(child, secret || eff[n].secretBelow())
			}
			return out
		case kindArray:
			out := make([]any, len(n.arr))
			for i, el := range n.arr {
				out[i] = redact(el, secret || eff[n].secretBelow())
			}
			return out
		default:
			if secret || eff[n].effective == visSecret {
				return redactedValue
			}
			return plain(n)
		}
	}
	return redact(c.n, secretAbove).(map[string]any)
}

// Secrets returns the distinct non-empty secret string values of c's tree, longest first, for
// redacting logs.
func (v *Visibility) Secrets(c *Config) []string {
	eff := v.annotate(c.root)
	seen := map[string]bool{}
	var collect func(n *node, secret bool)
	collect = func(n *node, secret bool) {
		switch n.kind {
		case kindObject:
			for _, child := range n.obj {
				collect(child, secret || eff[n].secretBelow())
			}
		case kindArray:
			for _, el := range n.arr {
				collect(el, secret || eff[n].secretBelow())
			}
		case kindString:
			if (secret || eff[n].effective == visSecret) && n.str != "" {
				seen[n.str] = true
			}
		}
	}
	collect(c.n, secretAncestors(c, eff))
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b string) int {
		if d := cmp.Compare(len(b), len(a)); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return out
}

// secretAncestors reports whether a sub-reader sits inside a secret object of its tree.
func secretAncestors(c *Config, eff map[*node]visInfo) bool {
	found := false
	var walk func(n *node, secret bool) bool
	walk = func(n *node, secret bool) bool {
		if n == c.n {
			found = secret
			return true
		}
		secret = secret || eff[n].secretBelow()
		for _, child := range n.obj {
			if walk(child, secret) {
				return true
			}
		}
		for _, el := range n.arr {
			if walk(el, secret) {
				return true
			}
		}
		return false
	}
	if c.n != c.root {
		walk(c.root, false)
	}
	return found
}

// visDecl collects, for one schema path, which schemas declared which visibilities.
type visDecl struct {
	tokens []string
	vis    map[string][]string // visibility → owners
	deep   map[string][]string // deepVisibility → owners
}

// checkVisibilityConflicts rejects a path declared frontend in one place and secret in another,
// and frontend declarations under a deepVisibility of secret.
func checkVisibilityConflicts(docs []*schemaDoc) error {
	decls := map[string]*visDecl{}
	record := func(tokens []string, vis, deep, owner string) {
		if vis == "" && deep == "" {
			return
		}
		key := schemaPathString(tokens)
		d, ok := decls[key]
		if !ok {
			d = &visDecl{tokens: slices.Clone(tokens), vis: map[string][]string{}, deep: map[string][]string{}}
			decls[key] = d
		}
		if vis != "" && !slices.Contains(d.vis[vis], owner) {
			d.vis[vis] = append(d.vis[vis], owner)
		}
		if deep != "" && !slices.Contains(d.deep[deep], owner) {
			d.deep[deep] = append(d.deep[deep], owner)
		}
	}
	for _, doc := range docs {
		onStack := map[*snode]bool{}
		var walk func(n *snode, tokens []string)
		walk = func(n *snode, tokens []string) {
			if n == nil || n.never || onStack[n] || len(tokens) > maxSchemaPathDepth {
				return
			}
			onStack[n] = true
			defer delete(onStack, n)
			record(tokens, n.visibility, n.deepVisibility, doc.owner)
			walk(n.refNode, tokens)
			for _, group := range [][]*snode{n.allOf, n.anyOf, n.oneOf} {
				for _, s := range group {
					walk(s, tokens)
				}
			}
			for _, k := range sortedSchemaKeys(n.properties) {
				walk(n.properties[k], append(slices.Clip(tokens), k))
			}
			for _, p := range n.patterns {
				walk(p.node, append(slices.Clip(tokens), "<"+p.pattern+">"))
			}
			walk(n.additional, append(slices.Clip(tokens), "*"))
			walk(n.items, append(slices.Clip(tokens), "[]"))
			for i, t := range n.tuple {
				walk(t, append(slices.Clip(tokens), "["+strconv.Itoa(i)+"]"))
			}
			walk(n.additionalItems, append(slices.Clip(tokens), "[]"))
		}
		walk(doc.root, nil)
	}

	keys := slices.Sorted(maps.Keys(decls))
	for _, k := range keys {
		d := decls[k]
		if f, s := d.vis[visFrontend], d.vis[visSecret]; f != nil && s != nil {
			return fmt.Errorf("config schema visibility of %q is both 'frontend' (%s) and 'secret' (%s)", k, owners(f), owners(s))
		}
		if f, s := d.deep[visFrontend], d.deep[visSecret]; f != nil && s != nil {
			return fmt.Errorf("config schema deepVisibility of %q is both 'frontend' (%s) and 'secret' (%s)", k, owners(f), owners(s))
		}
	}
	for _, sk := range keys {
		secret := decls[sk].deep[visSecret]
		if secret == nil {
			continue
		}
		for _, fk := range keys {
			f := decls[fk]
			frontend := append(slices.Clone(f.vis[visFrontend]), f.deep[visFrontend]...)
			if len(frontend) > 0 && isPrefix(decls[sk].tokens, f.tokens) {
				return fmt.Errorf("config schema marks %q frontend-visible (%s) inside %q, which has deepVisibility 'secret' (%s)", fk, owners(frontend), sk, owners(secret))
			}
		}
	}
	return nil
}

// maxSchemaPathDepth stops the static walk of self-similar schemas.
const maxSchemaPathDepth = 64

func sortedSchemaKeys(m map[string]*snode) []string {
	return slices.Sorted(maps.Keys(m))
}

func owners(list []string) string {
	quoted := make([]string, len(list))
	for i, o := range list {
		quoted[i] = strconv.Quote(o)
	}
	return "schema " + strings.Join(quoted, ", ")
}

// schemaPathString renders schema path tokens like config keys: "a.b[].c", "proxy.*".
func schemaPathString(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if strings.HasPrefix(t, "[") {
			b.WriteString(t)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	if b.Len() == 0 {
		return "<root>"
	}
	return b.String()
}
