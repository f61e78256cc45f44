package extension

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Node is one kept extension in a resolved [Tree].
type Node struct {
	// Extension is the declaration with app.extensions applied: AttachTo and Disabled are the
	// effective values.
	Extension Extension
	// Config is the resolved config: the app.extensions object (or an empty one) with schema
	// defaults filled in, validated. Never nil.
	Config map[string]any
	// Filter is the compiled entity filter from config.filter, else from Extension.Filter; nil
	// when neither is set (the node applies to every entity).
	Filter *EntityFilter

	inputs   []string
	children map[string][]*Node
}

// ID returns the extension ID.
func (n *Node) ID() string { return n.Extension.ID }

// Matches reports whether the node applies to entity, per its filter.
func (n *Node) Matches(entity map[string]any) bool { return n.Filter.Match(entity) }

// Tree is the resolved extension tree: every enabled extension whose chain of parents reaches
// [RootID], with its resolved config and filter. It is immutable and safe for concurrent use.
type Tree struct {
	root        *Node
	nodes       map[string]*Node
	order       []*Node
	unreachable []string
	unknown     []Unknown
}

// Unknown is an app.extensions entry naming an extension no installed plugin declares, as a
// config written for Backstage names extensions of plugins Portico does not ship. It is ignored
// with a warning, never an error.
type Unknown struct {
	// Index is the entry's position in app.extensions.
	Index int
	// ID is the extension ID the entry names.
	ID string
	// Suggestion is a declared ID the entry may have meant ("did you mean"): one at edit
	// distance ≤ 2, else one with the same namespace/name after the kind; "" when none.
	Suggestion string
}

// String describes the entry for a log line or config check output.
func (u Unknown) String() string {
	s := fmt.Sprintf("app.extensions[%d] %s: unknown extension, ignored (no installed plugin provides it)", u.Index, u.ID)
	if u.Suggestion != "" {
		s += fmt.Sprintf("; did you mean %s?", u.Suggestion)
	}
	return s
}

// Node returns the kept node with the given ID.
func (t *Tree) Node(id string) (*Node, bool) {
	n, ok := t.nodes[id]
	return n, ok
}

// Children returns the kept extensions attached to parentID's input, in order: those named in
// app.extensions first, in list order, then the rest in declaration order. parentID may be
// [RootID]. The slice is a copy.
func (t *Tree) Children(parentID, input string) []*Node {
	p, ok := t.nodes[parentID]
	if !ok {
		return nil
	}
	return slices.Clone(p.children[input])
}

// ChildrenFor is Children keeping only the nodes whose filter matches entity.
func (t *Tree) ChildrenFor(parentID, input string, entity map[string]any) []*Node {
	var out []*Node
	for _, n := range t.Children(parentID, input) {
		if n.Matches(entity) {
			out = append(out, n)
		}
	}
	return out
}

// Inputs returns the names of parentID's inputs that have kept children, in order of first use.
func (t *Tree) Inputs(parentID string) []string {
	p, ok := t.nodes[parentID]
	if !ok {
		return nil
	}
	return slices.Clone(p.inputs)
}

// Nodes returns every kept node (not the root) depth-first from the root, in child order.
func (t *Tree) Nodes() []*Node { return slices.Clone(t.order) }

// Unreachable returns the IDs of enabled extensions dropped because their parent chain never
// reaches the root (a parent that does not exist, or a cycle), as opposed to extensions dropped
// because they or an ancestor are disabled. Useful for warnings.
func (t *Tree) Unreachable() []string { return slices.Clone(t.unreachable) }

// Unknown returns the app.extensions entries that name no declared extension, in config
// order, one per entry. They were ignored.
func (t *Tree) Unknown() []Unknown { return slices.Clone(t.unknown) }

type spec struct {
	ext         Extension
	config      map[string]any
	configIndex int // app.extensions entry that supplied config, -1 if none
	lastIndex   int // last app.extensions entry naming the extension, -1 if none
	schema      *configSchema
}

// Resolve builds the extension tree from the declared extensions and the parsed app.extensions
// entries (see [ParseOverrides]). Declaration problems (bad or duplicate IDs, missing attachment
// points), unknown IDs in app.extensions, invalid config and invalid filters are all reported,
// each naming the extension and, when it came from config, the app.extensions index and key.
// Config is validated only for kept extensions, as Backstage instantiates only those.
func Resolve(exts []Extension, overrides []Override) (*Tree, error) {
	var errs []error
	specs := make(map[string]*spec, len(exts))
	declared := make([]*spec, 0, len(exts))
	for _, e := range exts {
		declErr := func(key string, err error) {
			errs = append(errs, &ConfigError{Index: -1, ExtensionID: e.ID, Key: key, Err: err})
		}
		if _, err := ParseID(e.ID); err != nil {
			declErr("", err)
			continue
		}
		if e.ID == RootID {
			declErr("", fmt.Errorf("%q is reserved for the tree root", RootID))
			continue
		}
		if _, dup := specs[e.ID]; dup {
			declErr("", ErrDuplicateExtension)
			continue
		}
		if e.AttachTo.ID == "" || e.AttachTo.Input == "" {
			declErr("attachTo", errors.New("needs both a parent id and an input name"))
		}
		schema, err := compileConfigSchema(e.ID, e.ConfigSchema)
		if err != nil {
			declErr("configSchema", err)
		}
		s := &spec{ext: e, schema: schema, configIndex: -1, lastIndex: -1}
		specs[e.ID] = s
		declared = append(declared, s)
	}

	var listed []*spec
	var unknown []Unknown
	for _, o := range overrides {
		if o.ID == RootID {
			errs = append(errs, &ConfigError{Index: o.Index, ExtensionID: o.ID, Err: errors.New("the root cannot be configured")})
			continue
		}
		s, ok := specs[o.ID]
		if !ok {
			unknown = append(unknown, Unknown{Index: o.Index, ID: o.ID, Suggestion: suggest(o.ID, declared)})
			continue
		}
		if o.AttachTo != nil {
			s.ext.AttachTo = *o.AttachTo
		}
		if o.Config != nil {
			s.config = o.Config
			s.configIndex = o.Index
		}
		s.ext.Disabled = o.Disabled
		if s.lastIndex < 0 {
			listed = append(listed, s)
		}
		s.lastIndex = o.Index
	}

	// Listed extensions first (first mention wins), then the rest in declaration order; children
	// attach to their parent's input in this order.
	ordered := slices.Clone(listed)
	for _, s := range declared {
		if s.lastIndex < 0 {
			ordered = append(ordered, s)
		}
	}
	attached := make(map[string]map[string][]*spec)
	inputOrder := make(map[string][]string)
	for _, s := range ordered {
		pid, in := s.ext.AttachTo.ID, s.ext.AttachTo.Input
		if attached[pid] == nil {
			attached[pid] = make(map[string][]*spec)
		}
		if _, seen := attached[pid][in]; !seen {
			inputOrder[pid] = append(inputOrder[pid], in)
		}
		attached[pid][in] = append(attached[pid][in], s)
	}

	t := &Tree{nodes: make(map[string]*Node), unknown: unknown}
	t.root = &Node{Extension: Extension{ID: RootID}, Config: map[string]any{}}
	t.nodes[RootID] = t.root
	var build func(parent *Node)
	build = func(parent *Node) {
		for _, in := range inputOrder[parent.ID()] {
			for _, s := range attached[parent.ID()][in] {
				if s.ext.Disabled {
					continue
				}
				n, nodeErrs := resolveNode(s)
				errs = append(errs, nodeErrs...)
				if parent.children == nil {
					parent.children = make(map[string][]*Node)
				}
				if _, seen := parent.children[in]; !seen {
					parent.inputs = append(parent.inputs, in)
				}
				parent.children[in] = append(parent.children[in], n)
				t.nodes[n.ID()] = n
				t.order = append(t.order, n)
				build(n)
			}
		}
	}
	build(t.root)

	for _, s := range ordered {
		if _, kept := t.nodes[s.ext.ID]; !kept && !s.ext.Disabled && !hasDisabledAncestor(s, specs) {
			t.unreachable = append(t.unreachable, s.ext.ID)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

func resolveNode(s *spec) (*Node, []error) {
	index := s.configIndex
	if index < 0 {
		index = s.lastIndex
	}
	var errs []error
	fail := func(idx int, key string, err error) {
		errs = append(errs, &ConfigError{Index: idx, ExtensionID: s.ext.ID, Key: key, Err: err})
	}
	n := &Node{Extension: s.ext}
	cfg, cfgErrs := s.schema.resolveConfig(s.config)
	for _, ke := range cfgErrs {
		fail(index, ke.key, ke.err)
	}
	n.Config = cfg
	if f, ok := cfg["filter"]; ok && f != nil {
		var err error
		n.Filter, err = CompileEntityFilter(f)
		if err != nil {
			fail(index, "config.filter", err)
		}
	} else if s.ext.Filter != nil {
		var err error
		n.Filter, err = CompileEntityFilter(s.ext.Filter)
		if err != nil {
			fail(-1, "filter", err)
		}
	}
	return n, errs
}

// hasDisabledAncestor reports whether walking up from s meets a disabled extension before the
// chain ends at the root, a missing parent or a cycle.
func hasDisabledAncestor(s *spec, specs map[string]*spec) bool {
	seen := map[string]bool{s.ext.ID: true}
	for cur := s; ; {
		pid := cur.ext.AttachTo.ID
		if pid == RootID || seen[pid] {
			return false
		}
		p, ok := specs[pid]
		if !ok {
			return false
		}
		if p.ext.Disabled {
			return true
		}
		seen[pid] = true
		cur = p
	}
}

// suggest returns the declared ID closest to id: the nearest at edit distance ≤ 2 (first
// declared wins a tie), else the first whose part after the kind equals id's.
func suggest(id string, declared []*spec) string {
	best, bestDist := "", 3
	for _, s := range declared {
		if d := levenshtein(id, s.ext.ID); d < bestDist {
			best, bestDist = s.ext.ID, d
		}
	}
	if best != "" {
		return best
	}
	suffix := func(x string) string {
		if i := strings.IndexByte(x, ':'); i >= 0 {
			return x[i+1:]
		}
		return x
	}
	for _, s := range declared {
		if suffix(s.ext.ID) == suffix(id) {
			return s.ext.ID
		}
	}
	return ""
}

// levenshtein is the edit distance between a and b, in bytes (IDs are ASCII).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
