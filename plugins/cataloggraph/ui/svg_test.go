package ui

import (
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
	"github.com/portico-dev/portico/plugins/cataloggraph/layout"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtureCatalog is a small company with relations in both directions, as the catalog
// stitches them.
func fixtureCatalog() map[string]*graph.Entity {
	ents := map[string]*graph.Entity{}
	add := func(kind, name, title, typ string, rels ...string) {
		e := &graph.Entity{Ref: strings.ToLower(kind) + ":default/" + name, Kind: kind, Namespace: "default", Name: name, Title: title, Type: typ}
		for _, r := range rels {
			t, target, _ := strings.Cut(r, ">")
			e.Relations = append(e.Relations, graph.Relation{Type: t, TargetRef: target})
		}
		ents[e.Ref] = e
	}
	add("Component", "svc", "Payments <Service>", "service", "ownedBy>group:default/team", "partOf>system:default/sys", "providesApi>api:default/api", "dependsOn>resource:default/db")
	add("Group", "team", "", "team", "ownerOf>component:default/svc", "ownerOf>system:default/sys", "hasMember>user:default/ann")
	add("System", "sys", "", "", "hasPart>component:default/svc", "ownedBy>group:default/team")
	add("API", "api", "Payments API", "openapi", "apiProvidedBy>component:default/svc")
	add("Resource", "db", "", "database", "dependencyOf>component:default/svc")
	add("User", "ann", "", "", "memberOf>group:default/team")
	return ents
}

func fixtureFetcher() graph.Fetcher {
	ents := fixtureCatalog()
	return graph.FetcherFunc(func(_ context.Context, refs []string) ([]*graph.Entity, error) {
		out := make([]*graph.Entity, len(refs))
		for i, r := range refs {
			if e, ok := ents[r]; ok {
				cp := *e
				out[i] = &cp
			}
		}
		return out, nil
	})
}

func fixtureGraph(t *testing.T, q graph.Query) *graph.Graph {
	t.Helper()
	g, err := graph.Build(context.Background(), fixtureFetcher(), q)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", name, got)
	}
}

func TestSVGGolden(t *testing.T) {
	tests := []struct {
		file string
		q    graph.Query
		dir  layout.Direction
	}{
		{"depth2-lr.svg", graph.Query{Roots: []string{"component:default/svc"}, MaxDepth: 2, MergeRelations: true, Unidirectional: true}, layout.LeftRight},
		{"depth1-tb-unmerged.svg", graph.Query{Roots: []string{"component:default/svc"}, MaxDepth: 1}, layout.TopBottom},
		{"more-node.svg", graph.Query{Roots: []string{"group:default/team"}, MaxDepth: 1, MergeRelations: true, Unidirectional: true, MaxPerRelation: 1}, layout.LeftRight},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			g := fixtureGraph(t, tt.q)
			d := render(g, svgOptions{
				ID: "g", Title: "Relations of <svc>", Direction: tt.dir,
				EntityHref: func(ref string) string { return "/catalog/" + strings.NewReplacer(":", "/").Replace(ref) },
				MoreHref:   func(n *graph.Node) string { return "/catalog?owner=" + n.Source },
			})
			svg := string(d.SVG)
			// Well-formed XML, every text escaped.
			dec := xml.NewDecoder(strings.NewReader(svg))
			for {
				if _, err := dec.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
			}
			if strings.Contains(svg, "<Service>") || strings.Contains(svg, "<svc>") {
				t.Error("unescaped text in the SVG")
			}
			for i := range d.Boxes {
				for j := i + 1; j < len(d.Boxes); j++ {
					a, b := d.Boxes[i], d.Boxes[j]
					if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
						t.Errorf("nodes %s and %s overlap", g.Nodes[i].ID, g.Nodes[j].ID)
					}
				}
			}
			golden(t, tt.file, svg+"\n")
		})
	}
}

// An entity with 2,000 relations draws a bounded graph: capped neighbours and a "+N more"
// node linking to the full list.
// bigGroup is a group owning 2,000 components and the page settings that draw it two levels deep.
func bigGroup() (graph.Fetcher, params) {
	ents := map[string]*graph.Entity{}
	group := &graph.Entity{Ref: "group:default/big", Kind: "Group", Namespace: "default", Name: "big"}
	for i := range 2000 {
		ref := fmt.Sprintf("component:default/c%04d", i)
		ents[ref] = &graph.Entity{Ref: ref, Kind: "Component", Namespace: "default", Name: fmt.Sprintf("c%04d", i),
			Relations: []graph.Relation{{Type: "ownedBy", TargetRef: group.Ref}}}
		group.Relations = append(group.Relations, graph.Relation{Type: "ownerOf", TargetRef: ref})
	}
	ents[group.Ref] = group
	f := graph.FetcherFunc(func(_ context.Context, refs []string) ([]*graph.Entity, error) {
		out := make([]*graph.Entity, len(refs))
		for i, r := range refs {
			out[i] = ents[r]
		}
		return out, nil
	})
	p := pageDefaults()
	p.Roots, p.MaxDepth = []string{group.Ref}, 2
	return f, p
}

func TestSVGBigGroup(t *testing.T) {
	f, p := bigGroup()
	v, err := buildGraph(context.Background(), f, p, linker{}, "g", "big", 0, graph.Query{})
	if err != nil {
		t.Fatal(err)
	}
	svg := string(v.SVG)
	if n := strings.Count(svg, `class="cg-node `); n != graph.DefaultMaxPerRelation+2 {
		t.Errorf("%d nodes drawn, want %d", n, graph.DefaultMaxPerRelation+2)
	}
	if !strings.Contains(svg, "+1970 more") {
		t.Error("no +1970 more node")
	}
	if len(svg) > 100_000 {
		t.Errorf("SVG is %d bytes", len(svg))
	}
}

func BenchmarkBigGroupPage(b *testing.B) {
	f, p := bigGroup()
	for b.Loop() {
		if _, err := buildGraph(context.Background(), f, p, linker{}, "g", "big", 0, graph.Query{}); err != nil {
			b.Fatal(err)
		}
	}
}
