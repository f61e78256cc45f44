package layout

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

type fixture struct {
	name  string
	nodes []Node
	edges []Edge
}

func boxes(n int, w, h float64) []Node {
	out := make([]Node, n)
	for i := range out {
		out[i] = Node{Width: w + float64(i%3)*20, Height: h}
	}
	return out
}

// randomGraph is a connected graph with extra edges, some pointing backwards (cycles).
func randomGraph(seed uint64, n, extra int) fixture {
	r := rand.New(rand.NewPCG(seed, 1))
	f := fixture{name: fmt.Sprintf("random seed %d n %d", seed, n), nodes: boxes(n, 100, 46)}
	for i := 1; i < n; i++ {
		f.edges = append(f.edges, Edge{From: r.IntN(i), To: i})
	}
	for range extra {
		f.edges = append(f.edges, Edge{From: r.IntN(n), To: r.IntN(n)})
	}
	return f
}

func fixtures() []fixture {
	return []fixture{
		{name: "single", nodes: boxes(1, 120, 46)},
		{name: "star", nodes: boxes(12, 120, 46), edges: func() []Edge {
			var es []Edge
			for i := 1; i < 12; i++ {
				es = append(es, Edge{From: 0, To: i})
			}
			return es
		}()},
		{name: "into the root", nodes: boxes(4, 120, 46), edges: []Edge{{1, 0}, {2, 0}, {3, 0}}},
		{name: "two-cycle", nodes: boxes(2, 120, 46), edges: []Edge{{0, 1}, {1, 0}}},
		{name: "long edge", nodes: boxes(4, 120, 46), edges: []Edge{{0, 1}, {1, 2}, {2, 3}, {0, 3}}},
		{name: "self loop", nodes: boxes(2, 120, 46), edges: []Edge{{0, 0}, {0, 1}}},
		randomGraph(1, 30, 15),
		randomGraph(2, 120, 60),
	}
}

func overlap(a, b Placed, na, nb Node) bool {
	return a.X-na.Width/2 < b.X+nb.Width/2 && b.X-nb.Width/2 < a.X+na.Width/2 &&
		a.Y-na.Height/2 < b.Y+nb.Height/2 && b.Y-nb.Height/2 < a.Y+na.Height/2
}

func TestLayoutProperties(t *testing.T) {
	for _, f := range fixtures() {
		for _, dir := range []Direction{LeftRight, RightLeft, TopBottom, BottomTop} {
			t.Run(f.name+" "+string(dir), func(t *testing.T) {
				res := Layout(f.nodes, f.edges, Options{Direction: dir})
				for i := range f.nodes {
					p, n := res.Nodes[i], f.nodes[i]
					if p.X-n.Width/2 < 0 || p.Y-n.Height/2 < 0 || p.X+n.Width/2 > res.Width || p.Y+n.Height/2 > res.Height {
						t.Errorf("node %d at (%v,%v) size %vx%v lies outside %vx%v", i, p.X, p.Y, n.Width, n.Height, res.Width, res.Height)
					}
					for j := i + 1; j < len(f.nodes); j++ {
						if overlap(p, res.Nodes[j], n, f.nodes[j]) {
							t.Errorf("nodes %d %+v and %d %+v overlap", i, p, j, res.Nodes[j])
						}
					}
				}
				for i, e := range f.edges {
					pts := res.Edges[i]
					if e.From == e.To {
						if pts != nil {
							t.Errorf("self loop %d routed: %v", i, pts)
						}
						continue
					}
					if len(pts) < 2 {
						t.Fatalf("edge %d has route %v", i, pts)
					}
					want := int(math.Abs(float64(res.Nodes[e.To].Layer-res.Nodes[e.From].Layer))) + 1
					if len(pts) != want {
						t.Errorf("edge %d %v spans layers %d→%d but has %d points", i, e, res.Nodes[e.From].Layer, res.Nodes[e.To].Layer, len(pts))
					}
					if res.Nodes[e.From].Layer == res.Nodes[e.To].Layer {
						t.Errorf("edge %d %v joins two nodes of layer %d", i, e, res.Nodes[e.From].Layer)
					}
				}
				again := Layout(f.nodes, f.edges, Options{Direction: dir})
				if !reflect.DeepEqual(res, again) {
					t.Error("two layouts of the same graph differ")
				}
			})
		}
	}
}

func TestLayoutDirections(t *testing.T) {
	nodes := boxes(2, 100, 40)
	edges := []Edge{{0, 1}}
	tests := []struct {
		dir  Direction
		want func(a, b Placed) bool
	}{
		{LeftRight, func(a, b Placed) bool { return a.X < b.X && a.Y == b.Y }},
		{RightLeft, func(a, b Placed) bool { return a.X > b.X && a.Y == b.Y }},
		{TopBottom, func(a, b Placed) bool { return a.Y < b.Y && a.X == b.X }},
		{BottomTop, func(a, b Placed) bool { return a.Y > b.Y && a.X == b.X }},
		{"", func(a, b Placed) bool { return a.X < b.X }},
	}
	for _, tt := range tests {
		res := Layout(nodes, edges, Options{Direction: tt.dir})
		if a, b := res.Nodes[0], res.Nodes[1]; !tt.want(a, b) {
			t.Errorf("%q: source %+v, target %+v", tt.dir, a, b)
		}
	}
}

// The barycentric ordering untangles a crossed ladder.
func TestLayoutReducesCrossings(t *testing.T) {
	// 0→{2,3} and 1→{4,5}, with the second layer listed interleaved so the input order crosses.
	nodes := boxes(6, 80, 40)
	edges := []Edge{{0, 2}, {1, 3}, {0, 4}, {1, 5}}
	res := Layout(nodes, edges, Options{})
	if res.Crossings != 0 {
		t.Errorf("crossings = %d, want 0", res.Crossings)
	}
}

func TestLayoutEmpty(t *testing.T) {
	res := Layout(nil, nil, Options{})
	if len(res.Nodes) != 0 || res.Width <= 0 {
		t.Fatalf("empty layout: %+v", res)
	}
}

func BenchmarkLayout500(b *testing.B) {
	f := randomGraph(3, 500, 250)
	for b.Loop() {
		Layout(f.nodes, f.edges, Options{})
	}
}
