package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// memCatalog is an in-memory catalog that records each batch it is asked for.
type memCatalog struct {
	byRef   map[string]*Entity
	batches [][]string
	fail    error
}

// newCatalog builds entities from "kind:ns/name rel>target rel>target…" lines, adding the
// inverse of every built-in relation as the catalog's stitching does.
func newCatalog(lines ...string) *memCatalog {
	c := &memCatalog{byRef: map[string]*Entity{}}
	ent := func(ref string) *Entity {
		if e, ok := c.byRef[ref]; ok {
			return e
		}
		kind, rest, _ := strings.Cut(ref, ":")
		ns, name, _ := strings.Cut(rest, "/")
		e := &Entity{Ref: ref, Kind: kind, Namespace: ns, Name: name}
		c.byRef[ref] = e
		return e
	}
	for _, l := range lines {
		f := strings.Fields(l)
		src := ent(f[0])
		for _, r := range f[1:] {
			typ, target, _ := strings.Cut(r, ">")
			src.Relations = append(src.Relations, Relation{Type: typ, TargetRef: target})
			if p := pairOf(typ); p.Inverse != "" {
				inv := p.Inverse
				if typ == p.Inverse {
					inv = p.Primary
				}
				ent(target).Relations = append(ent(target).Relations, Relation{Type: inv, TargetRef: src.Ref})
			}
		}
	}
	return c
}

func (c *memCatalog) Entities(_ context.Context, refs []string) ([]*Entity, error) {
	if c.fail != nil {
		return nil, c.fail
	}
	c.batches = append(c.batches, slices.Clone(refs))
	out := make([]*Entity, len(refs))
	for i, r := range refs {
		if e, ok := c.byRef[r]; ok {
			cp := *e
			out[i] = &cp
		}
	}
	return out, nil
}

// company: a service owned by a team with two members, part of a system in a domain, and
// providing an API that another service consumes.
func company() *memCatalog {
	return newCatalog(
		"component:default/svc ownedBy>group:default/team partOf>system:default/sys providesApi>api:default/api",
		"component:default/other ownedBy>group:default/team consumesApi>api:default/api",
		"user:default/ann memberOf>group:default/team",
		"user:default/bob memberOf>group:default/team",
		"system:default/sys partOf>domain:default/dom ownedBy>group:default/team",
	)
}

func ids(g *Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.ID)
	}
	return out
}

func edges(g *Graph) []string {
	var out []string
	for _, e := range g.Edges {
		out = append(out, e.From+" -["+strings.Join(e.Relations, "/")+"]-> "+e.To)
	}
	return out
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name      string
		q         Query
		nodes     []string
		edges     []string
		batches   int
		truncated bool
	}{
		{
			name:    "depth 1 merged unidirectional",
			q:       Query{Roots: []string{"component:svc"}, MaxDepth: 1, MergeRelations: true, Unidirectional: true},
			nodes:   []string{"component:default/svc", "group:default/team", "system:default/sys", "api:default/api"},
			edges:   []string{"group:default/team -[ownerOf/ownedBy]-> component:default/svc", "system:default/sys -[hasPart/partOf]-> component:default/svc", "api:default/api -[apiProvidedBy/providesApi]-> component:default/svc"},
			batches: 2,
		},
		{
			name: "depth 2 reaches two hops; same-level edges dropped when unidirectional",
			q:    Query{Roots: []string{"component:default/svc"}, MaxDepth: 2, MergeRelations: true, Unidirectional: true},
			// Relations are followed in the catalog's order: by type, then target.
			nodes: []string{"component:default/svc", "group:default/team", "system:default/sys", "api:default/api",
				"user:default/ann", "user:default/bob", "component:default/other", "domain:default/dom"},
			edges: []string{
				"group:default/team -[ownerOf/ownedBy]-> component:default/svc",
				"system:default/sys -[hasPart/partOf]-> component:default/svc",
				"api:default/api -[apiProvidedBy/providesApi]-> component:default/svc",
				"group:default/team -[hasMember/memberOf]-> user:default/ann",
				"group:default/team -[hasMember/memberOf]-> user:default/bob",
				"group:default/team -[ownerOf/ownedBy]-> component:default/other",
				"domain:default/dom -[hasPart/partOf]-> system:default/sys",
				"component:default/other -[consumesApi/apiConsumedBy]-> api:default/api",
			},
			batches: 3,
		},
		{
			name:  "not unidirectional keeps same-level edges",
			q:     Query{Roots: []string{"component:default/svc"}, MaxDepth: 1, MergeRelations: true},
			nodes: []string{"component:default/svc", "group:default/team", "system:default/sys", "api:default/api"},
			edges: []string{
				"group:default/team -[ownerOf/ownedBy]-> component:default/svc",
				"system:default/sys -[hasPart/partOf]-> component:default/svc",
				"api:default/api -[apiProvidedBy/providesApi]-> component:default/svc",
				"group:default/team -[ownerOf/ownedBy]-> system:default/sys",
			},
			batches: 2,
		},
		{
			name:  "unmerged unidirectional points away from the root",
			q:     Query{Roots: []string{"group:default/team"}, MaxDepth: 1, Unidirectional: true, Relations: []string{"hasMember", "memberOf"}},
			nodes: []string{"group:default/team", "user:default/ann", "user:default/bob"},
			edges: []string{"group:default/team -[hasMember]-> user:default/ann", "group:default/team -[hasMember]-> user:default/bob"},
		},
		{
			name:  "unmerged both directions",
			q:     Query{Roots: []string{"group:default/team"}, MaxDepth: 1, Relations: []string{"hasMember", "memberOf"}},
			nodes: []string{"group:default/team", "user:default/ann", "user:default/bob"},
			edges: []string{
				"group:default/team -[hasMember]-> user:default/ann", "group:default/team -[hasMember]-> user:default/bob",
				"user:default/ann -[memberOf]-> group:default/team", "user:default/bob -[memberOf]-> group:default/team",
			},
		},
		{
			name:  "relation filter",
			q:     Query{Roots: []string{"component:default/svc"}, MergeRelations: true, Unidirectional: true, Relations: []string{"providesApi", "apiConsumedBy"}},
			nodes: []string{"component:default/svc", "api:default/api", "component:default/other"},
			edges: []string{"api:default/api -[apiProvidedBy/providesApi]-> component:default/svc", "component:default/other -[consumesApi/apiConsumedBy]-> api:default/api"},
		},
		{
			name:  "kind filter keeps the root",
			q:     Query{Roots: []string{"component:default/svc"}, MaxDepth: 2, MergeRelations: true, Unidirectional: true, Kinds: []string{"Group", "user"}},
			nodes: []string{"component:default/svc", "group:default/team", "user:default/ann", "user:default/bob"},
			edges: []string{"group:default/team -[ownerOf/ownedBy]-> component:default/svc", "group:default/team -[hasMember/memberOf]-> user:default/ann", "group:default/team -[hasMember/memberOf]-> user:default/bob"},
		},
		{
			name:  "two roots and a missing one",
			q:     Query{Roots: []string{"user:default/ann", "user:bob", "user:default/nobody", "USER:default/ann"}, MaxDepth: 1, MergeRelations: true, Unidirectional: true},
			nodes: []string{"user:default/ann", "user:default/bob", "group:default/team"},
			edges: []string{"group:default/team -[hasMember/memberOf]-> user:default/ann", "group:default/team -[hasMember/memberOf]-> user:default/bob"},
		},
		{
			name:      "node cap truncates",
			q:         Query{Roots: []string{"group:default/team"}, MaxDepth: 1, MergeRelations: true, Unidirectional: true, MaxNodes: 3},
			nodes:     []string{"group:default/team", "user:default/ann", "user:default/bob"},
			edges:     []string{"group:default/team -[hasMember/memberOf]-> user:default/ann", "group:default/team -[hasMember/memberOf]-> user:default/bob"},
			truncated: true,
		},
		{
			name:  "per-relation cap adds a more node",
			q:     Query{Roots: []string{"group:default/team"}, MaxDepth: 1, MergeRelations: true, Unidirectional: true, MaxPerRelation: 1, Relations: []string{"hasMember", "ownerOf"}},
			nodes: []string{"group:default/team", "user:default/ann", "component:default/other", "more:group:default/team:hasMember", "more:group:default/team:ownerOf"},
			edges: []string{
				"group:default/team -[hasMember/memberOf]-> user:default/ann",
				"group:default/team -[ownerOf/ownedBy]-> component:default/other",
				"group:default/team -[hasMember/memberOf]-> more:group:default/team:hasMember",
				"group:default/team -[ownerOf/ownedBy]-> more:group:default/team:ownerOf",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := company()
			g, err := Build(context.Background(), c, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(g); !slices.Equal(got, tt.nodes) {
				t.Errorf("nodes:\n got %q\nwant %q", got, tt.nodes)
			}
			if got := edges(g); !slices.Equal(got, tt.edges) {
				t.Errorf("edges:\n got %q\nwant %q", got, tt.edges)
			}
			if tt.batches > 0 && len(c.batches) != tt.batches {
				t.Errorf("%d catalog calls (%q), want %d: one per level", len(c.batches), c.batches, tt.batches)
			}
			if g.Truncated != tt.truncated {
				t.Errorf("truncated = %v, want %v", g.Truncated, tt.truncated)
			}
		})
	}
}

func TestBuildRootsAndErrors(t *testing.T) {
	c := company()
	g, err := Build(context.Background(), c, Query{Roots: []string{"user:default/nobody"}})
	if err != nil || len(g.Nodes) != 0 || !slices.Equal(g.MissingRoots, []string{"user:default/nobody"}) {
		t.Fatalf("missing root: %v, %v, %v", ids(g), g.MissingRoots, err)
	}
	if _, err := Build(context.Background(), c, Query{}); !errors.Is(err, ErrNoRoots) {
		t.Fatalf("no roots: %v, want ErrNoRoots", err)
	}
	if _, err := Build(context.Background(), c, Query{Roots: []string{"no-kind"}}); err == nil {
		t.Fatal("malformed root: want an error")
	}
	c.fail = errors.New("catalog down")
	if _, err := Build(context.Background(), c, Query{Roots: []string{"user:ann"}}); err == nil || !strings.Contains(err.Error(), "catalog down") {
		t.Fatalf("fetch failure: %v", err)
	}
}

func TestNormalizeRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"component:default/svc", "component:default/svc"},
		{"Component:Svc", "component:default/svc"},
		{" group:ops/Team-A ", "group:ops/team-a"},
		{"svc", ""},
		{":default/svc", ""},
		{"component:default/", ""},
		{"component:/svc", ""},
		{"component:a/b/c", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeRef(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("NormalizeRef(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeRef(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// A big group: 2,000 owned components stay one fetch per level and a bounded graph.
func TestBuildBigGroup(t *testing.T) {
	lines := make([]string, 0, 2000)
	for i := range 2000 {
		lines = append(lines, fmt.Sprintf("component:default/c%04d ownedBy>group:default/big", i))
	}
	c := newCatalog(lines...)
	g, err := Build(context.Background(), c, Query{Roots: []string{"group:default/big"}, MaxDepth: 1, MergeRelations: true, Unidirectional: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) != DefaultMaxPerRelation+2 {
		t.Fatalf("%d nodes, want %d entities, the root and one more node", len(g.Nodes), DefaultMaxPerRelation)
	}
	more := g.Nodes[len(g.Nodes)-1]
	if !more.IsMore() || more.Hidden != 2000-DefaultMaxPerRelation || more.Relation != model.RelationOwnerOf {
		t.Fatalf("last node = %+v, want +%d more ownerOf", more, 2000-DefaultMaxPerRelation)
	}
	if len(c.batches) != 2 || len(c.batches[1]) != DefaultMaxPerRelation {
		t.Fatalf("catalog calls: %d, second of %d refs", len(c.batches), len(c.batches[1]))
	}
}

func BenchmarkBuildBigGroup(b *testing.B) {
	lines := make([]string, 0, 2000)
	for i := range 2000 {
		lines = append(lines, fmt.Sprintf("component:default/c%04d ownedBy>group:default/big", i))
	}
	c := newCatalog(lines...)
	for b.Loop() {
		c.batches = nil
		if _, err := Build(context.Background(), c, Query{Roots: []string{"group:default/big"}, MaxDepth: 2, MergeRelations: true, Unidirectional: true}); err != nil {
			b.Fatal(err)
		}
	}
}
