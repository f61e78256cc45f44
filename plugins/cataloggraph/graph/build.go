package graph

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Entity is what the graph needs of a catalog entity.
type Entity struct {
	Ref       string // canonical reference, lower-case: kind:namespace/name
	Kind      string // as the catalog writes it, e.g. "Component"
	Namespace string
	Name      string
	Title     string // metadata.title; "" when unset
	Type      string // spec.type; "" when unset
	Relations []Relation
}

// Relation is one entry of an entity's relations.
type Relation struct {
	Type      string
	TargetRef string
}

// Fetcher reads entities by reference.
type Fetcher interface {
	// Entities returns the entities of refs in the same order, nil for each one the catalog
	// does not have.
	Entities(ctx context.Context, refs []string) ([]*Entity, error)
}

// FetcherFunc adapts a function to Fetcher.
type FetcherFunc func(ctx context.Context, refs []string) ([]*Entity, error)

// Entities calls f.
func (f FetcherFunc) Entities(ctx context.Context, refs []string) ([]*Entity, error) {
	return f(ctx, refs)
}

// Default bounds of a graph.
const (
	DefaultMaxNodes       = 500
	DefaultMaxPerRelation = 30
)

// Query says which graph to build. Its zero value (but for Roots) is Backstage's page
// default without simplification: unlimited depth, every relation and kind.
type Query struct {
	Roots []string // entity refs; namespace defaults to "default"
	// MaxDepth is how many relation hops from a root are followed; 0 or less is unlimited.
	MaxDepth int
	// Kinds keeps only entities of these kinds (case-insensitive) besides the roots; empty
	// keeps all.
	Kinds []string
	// Relations keeps only these relation types; empty keeps all.
	Relations []string
	// Unidirectional draws only edges leading away from the roots (Backstage's "simplified").
	Unidirectional bool
	// MergeRelations draws a relation and its inverse as one edge (ownerOf / ownedBy).
	MergeRelations bool
	// MaxNodes bounds the entities in the graph (default DefaultMaxNodes); beyond it the
	// graph is Truncated.
	MaxNodes int
	// MaxPerRelation bounds how many new neighbours of one entity are followed per relation
	// type (default DefaultMaxPerRelation); the rest become one "+N more" node.
	MaxPerRelation int
}

// Node is an entity of the graph, or a "+N more" stand-in for neighbours left out.
type Node struct {
	ID       string  // the canonical entity ref, or "more:<source>:<relation>"
	Entity   *Entity // nil on a "+N more" node
	Root     bool
	Distance int // relation hops from the nearest root
	// On a "+N more" node: how many neighbours it stands for, whose, and through which
	// relation.
	Hidden   int
	Source   string
	Relation string
}

// IsMore reports whether n stands for neighbours left out.
func (n *Node) IsMore() bool { return n.Entity == nil }

// Edge joins two nodes; Relations are the relation types it stands for, the primary first.
type Edge struct {
	From, To  string
	Relations []string
}

// Graph is a built graph. Nodes come in discovery order (roots first, then level by level),
// edges in the order of their source nodes; both are deterministic for a given catalog.
type Graph struct {
	Nodes []*Node
	Edges []Edge
	// MissingRoots are the roots the catalog does not have.
	MissingRoots []string
	// Truncated is set when MaxNodes cut the walk short.
	Truncated bool
	byID      map[string]*Node
}

// Node returns the node with the given ID.
func (g *Graph) Node(id string) (*Node, bool) {
	n, ok := g.byID[id]
	return n, ok
}

// ErrNoRoots is returned when a query names no root entity.
var ErrNoRoots = errors.New("no root entity given")

// NormalizeRef returns the canonical, lower-case form of an entity ref ("kind:ns/name"),
// with the namespace defaulting to "default". The kind is required.
func NormalizeRef(ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	kind, rest, ok := strings.Cut(ref, ":")
	if !ok || kind == "" || strings.ContainsAny(kind, "/") {
		return "", fmt.Errorf("entity ref %q: want kind:namespace/name", ref)
	}
	ns, name, ok := strings.Cut(rest, "/")
	if !ok {
		ns, name = "default", rest
	}
	if ns == "" || name == "" || strings.ContainsAny(name, "/:") || strings.Contains(ns, ":") {
		return "", fmt.Errorf("entity ref %q: want kind:namespace/name", ref)
	}
	return strings.ToLower(kind + ":" + ns + "/" + name), nil
}

// KindOf returns the kind part of a canonical ref.
func KindOf(ref string) string {
	k, _, _ := strings.Cut(ref, ":")
	return k
}

// Build walks the catalog from q.Roots and returns the graph.
func Build(ctx context.Context, f Fetcher, q Query) (*Graph, error) {
	if q.MaxNodes <= 0 {
		q.MaxNodes = DefaultMaxNodes
	}
	if q.MaxPerRelation <= 0 {
		q.MaxPerRelation = DefaultMaxPerRelation
	}
	g := &Graph{byID: map[string]*Node{}}
	var roots []string
	for _, r := range q.Roots {
		c, err := NormalizeRef(r)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(roots, c) {
			roots = append(roots, c)
		}
	}
	if len(roots) == 0 {
		return nil, ErrNoRoots
	}
	keep := newFilter(q)

	level, err := g.fetchLevel(ctx, f, roots, 0)
	if err != nil {
		return nil, err
	}
	for _, n := range level {
		n.Root = true
	}
	for _, r := range roots {
		if _, ok := g.byID[r]; !ok {
			g.MissingRoots = append(g.MissingRoots, r)
		}
	}
	for depth := 0; len(level) > 0 && (q.MaxDepth <= 0 || depth < q.MaxDepth); depth++ {
		var next []string
		queued := map[string]bool{}
		var more []*Node
		for _, n := range level {
			taken := map[string]int{}
			hidden := map[string]int{}
			for _, rel := range n.Entity.Relations {
				if !keep.relation(rel) {
					continue
				}
				t := strings.ToLower(rel.TargetRef)
				if _, ok := g.byID[t]; ok || queued[t] {
					continue
				}
				if taken[rel.Type] >= q.MaxPerRelation {
					hidden[rel.Type]++
					continue
				}
				if len(g.byID)+len(next) >= q.MaxNodes {
					g.Truncated = true
					continue
				}
				taken[rel.Type]++
				queued[t] = true
				next = append(next, t)
			}
			for _, typ := range slices.Sorted(maps.Keys(hidden)) {
				more = append(more, &Node{
					ID: "more:" + n.ID + ":" + typ, Distance: depth + 1,
					Hidden: hidden[typ], Source: n.ID, Relation: typ,
				})
			}
		}
		level, err = g.fetchLevel(ctx, f, next, depth+1)
		if err != nil {
			return nil, err
		}
		for _, m := range more {
			g.add(m)
		}
	}
	g.Edges = buildEdges(g, keep, q)
	return g, nil
}

// fetchLevel reads refs in one batch and adds the entities found as nodes at distance d.
func (g *Graph) fetchLevel(ctx context.Context, f Fetcher, refs []string, d int) ([]*Node, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	ents, err := f.Entities(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("read related entities: %w", err)
	}
	if len(ents) != len(refs) {
		return nil, fmt.Errorf("read related entities: asked for %d, got %d", len(refs), len(ents))
	}
	var out []*Node
	for i, e := range ents {
		if e == nil {
			continue // a relation to an entity the catalog lacks: Backstage leaves it out too
		}
		e.Relations = sortRelations(e.Relations)
		n := &Node{ID: refs[i], Entity: e, Distance: d}
		g.add(n)
		out = append(out, n)
	}
	return out, nil
}

func (g *Graph) add(n *Node) {
	g.Nodes = append(g.Nodes, n)
	g.byID[n.ID] = n
}

// filter is the relation-type and kind filter of a query.
type filter struct {
	relations map[string]bool // nil keeps all
	kinds     map[string]bool // nil keeps all
}

func newFilter(q Query) filter {
	var f filter
	if len(q.Relations) > 0 {
		f.relations = map[string]bool{}
		for _, r := range q.Relations {
			f.relations[r] = true
		}
	}
	if len(q.Kinds) > 0 {
		f.kinds = map[string]bool{}
		for _, k := range q.Kinds {
			f.kinds[strings.ToLower(k)] = true
		}
	}
	return f
}

// relation reports whether a relation is followed: its type is selected and its target is
// of a selected kind.
func (f filter) relation(r Relation) bool {
	if f.relations != nil && !f.relations[r.Type] {
		return false
	}
	return f.kinds == nil || f.kinds[strings.ToLower(KindOf(r.TargetRef))]
}

// buildEdges joins the nodes by the relations that pass the filter.
func buildEdges(g *Graph, keep filter, q Query) []Edge {
	type key struct{ from, to string }
	index := map[key]int{}
	var edges []Edge
	add := func(from, to string, rels ...string) {
		k := key{from, to}
		i, ok := index[k]
		if !ok && q.MergeRelations {
			// One edge per pair of nodes, whichever way it was first drawn.
			i, ok = index[key{to, from}]
		}
		if !ok {
			index[k] = len(edges)
			edges = append(edges, Edge{From: from, To: to, Relations: slices.Clone(rels)})
			return
		}
		for _, r := range rels {
			if !slices.Contains(edges[i].Relations, r) {
				edges[i].Relations = append(edges[i].Relations, r)
			}
		}
	}
	forward := func(from, to string) bool {
		if !q.Unidirectional {
			return true
		}
		a, b := g.byID[from], g.byID[to]
		if q.MergeRelations {
			// The pair sets the direction; only edges between levels lead away from a root.
			return a.Distance != b.Distance
		}
		return b.Distance > a.Distance
	}
	for _, n := range g.Nodes {
		var rels []Relation
		switch {
		case n.Entity != nil:
			rels = n.Entity.Relations
		default:
			rels = []Relation{{Type: n.Relation, TargetRef: n.ID}}
		}
		src := n.ID
		if n.IsMore() {
			src = n.Source
		}
		for _, rel := range rels {
			t := strings.ToLower(rel.TargetRef)
			if n.IsMore() {
				t = n.ID
			} else if !keep.relation(rel) {
				continue
			}
			if _, ok := g.byID[t]; !ok || t == src {
				continue
			}
			from, to, labels := src, t, []string{rel.Type}
			if q.MergeRelations {
				p := pairOf(rel.Type)
				if rel.Type == p.Inverse {
					from, to = t, src
				}
				labels = []string{p.Primary}
				if p.Inverse != "" {
					labels = append(labels, p.Inverse)
				}
			}
			if !forward(from, to) {
				continue
			}
			add(from, to, labels...)
		}
	}
	return edges
}

func sortRelations(rs []Relation) []Relation {
	out := slices.Clone(rs)
	slices.SortFunc(out, func(a, b Relation) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(strings.ToLower(a.TargetRef), strings.ToLower(b.TargetRef)))
	})
	return out
}
