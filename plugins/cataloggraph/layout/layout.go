// Package layout places a directed graph in layers, the way dagre (which Backstage's catalog
// graph uses) does, in plain Go: cycles are broken by reversing back edges, nodes are layered
// by longest path (sources pulled next to their successors), edges spanning several layers
// get dummy points, each layer is ordered by barycentric sweeps keeping the ordering with the
// fewest crossings, and positions within a layer are balanced towards their neighbours
// without overlap. The result is deterministic for a given input.
package layout

import (
	"math"
	"slices"
)

// Direction is the way layers run, as Backstage's graph names it.
type Direction string

// Directions.
const (
	LeftRight Direction = "LR"
	RightLeft Direction = "RL"
	TopBottom Direction = "TB"
	BottomTop Direction = "BT"
)

// Valid reports whether d is one of the four directions.
func (d Direction) Valid() bool {
	return d == LeftRight || d == RightLeft || d == TopBottom || d == BottomTop
}

// Horizontal reports whether layers run along the x axis.
func (d Direction) Horizontal() bool { return d == LeftRight || d == RightLeft || d == "" }

// Node is a box to place.
type Node struct {
	Width, Height float64
}

// Edge points from node index From to node index To.
type Edge struct {
	From, To int
}

// Options tune the spacing.
type Options struct {
	Direction Direction
	RankSep   float64 // gap between layers (default 150)
	NodeSep   float64 // gap between nodes of a layer (default 18)
	Margin    float64 // space around the drawing (default 16)
	// Iterations of ordering sweeps (default 8).
	Iterations int
}

// Point is a position.
type Point struct{ X, Y float64 }

// Placed is a placed node: its centre, layer and rank within the layer.
type Placed struct {
	X, Y  float64
	Layer int
	Order int
}

// Result is a layout.
type Result struct {
	Nodes []Placed
	// Edges holds, per input edge, the points of its route from the border of From to the
	// border of To (nil for a self-loop).
	Edges         [][]Point
	Width, Height float64
	Crossings     int
}

// vertex is a real node or a dummy point of a long edge.
type vertex struct {
	breadth, depth float64 // size across and along the layer axis
	layer, order   int
	pos            float64 // centre across the layer axis
	preds, succs   []int
}

// Layout places nodes and routes edges.
func Layout(nodes []Node, edges []Edge, opts Options) Result {
	if opts.RankSep <= 0 {
		opts.RankSep = 150
	}
	if opts.NodeSep <= 0 {
		opts.NodeSep = 18
	}
	if opts.Margin <= 0 {
		opts.Margin = 16
	}
	if opts.Iterations <= 0 {
		opts.Iterations = 8
	}
	if !opts.Direction.Valid() {
		opts.Direction = LeftRight
	}
	horizontal := opts.Direction.Horizontal()
	n := len(nodes)
	res := Result{Nodes: make([]Placed, n), Edges: make([][]Point, len(edges))}
	if n == 0 {
		res.Width, res.Height = 2*opts.Margin, 2*opts.Margin
		return res
	}

	// Orient edges without cycles.
	oriented, reversed := acyclic(n, edges)
	layer := longestPath(n, oriented)

	// Vertices: the nodes, then dummies along long edges.
	vs := make([]vertex, n)
	for i, nd := range nodes {
		if horizontal {
			vs[i] = vertex{breadth: nd.Height, depth: nd.Width}
		} else {
			vs[i] = vertex{breadth: nd.Width, depth: nd.Height}
		}
		vs[i].layer = layer[i]
	}
	chains := make([][]int, len(edges)) // vertex path of each edge, in oriented direction
	seenPair := map[[2]int]bool{}
	for i, e := range oriented {
		if e.From == e.To {
			continue
		}
		chain := []int{e.From}
		for l := layer[e.From] + 1; l < layer[e.To]; l++ {
			vs = append(vs, vertex{breadth: 8, layer: l})
			chain = append(chain, len(vs)-1)
		}
		chain = append(chain, e.To)
		chains[i] = chain
		for j := 0; j+1 < len(chain); j++ {
			a, b := chain[j], chain[j+1]
			if seenPair[[2]int{a, b}] {
				continue // parallel edges share their first hop for ordering purposes
			}
			seenPair[[2]int{a, b}] = true
			vs[a].succs = append(vs[a].succs, b)
			vs[b].preds = append(vs[b].preds, a)
		}
	}

	layers := orderLayers(vs, opts.Iterations, &res.Crossings)
	placeAcross(vs, layers, opts.NodeSep, opts.Iterations)

	// Along the layer axis: each layer as deep as its deepest node.
	depthOf := make([]float64, len(layers))
	for l, ids := range layers {
		for _, v := range ids {
			depthOf[l] = math.Max(depthOf[l], vs[v].depth)
		}
	}
	along := make([]float64, len(layers))
	cursor := opts.Margin
	for l := range layers {
		along[l] = cursor + depthOf[l]/2
		cursor += depthOf[l] + opts.RankSep
	}
	totalAlong := cursor - opts.RankSep + opts.Margin
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		lo = math.Min(lo, v.pos-v.breadth/2)
		hi = math.Max(hi, v.pos+v.breadth/2)
	}
	totalAcross := hi - lo + 2*opts.Margin
	point := func(v int) Point {
		a := along[vs[v].layer]
		c := vs[v].pos - lo + opts.Margin
		switch opts.Direction {
		case RightLeft:
			return Point{X: totalAlong - a, Y: c}
		case TopBottom:
			return Point{X: c, Y: a}
		case BottomTop:
			return Point{X: c, Y: totalAlong - a}
		}
		return Point{X: a, Y: c}
	}
	if horizontal {
		res.Width, res.Height = totalAlong, totalAcross
	} else {
		res.Width, res.Height = totalAcross, totalAlong
	}
	for i := range nodes {
		p := point(i)
		res.Nodes[i] = Placed{X: round(p.X), Y: round(p.Y), Layer: vs[i].layer, Order: vs[i].order}
	}
	for i, chain := range chains {
		if chain == nil {
			continue
		}
		pts := make([]Point, len(chain))
		for j, v := range chain {
			pts[j] = point(v)
		}
		if reversed[i] {
			slices.Reverse(pts)
		}
		from, to := edges[i].From, edges[i].To
		pts[0] = clip(pts[0], pts[1], nodes[from])
		pts[len(pts)-1] = clip(pts[len(pts)-1], pts[len(pts)-2], nodes[to])
		for j := range pts {
			pts[j] = Point{X: round(pts[j].X), Y: round(pts[j].Y)}
		}
		res.Edges[i] = pts
	}
	return res
}

// acyclic returns the edges with back edges (found by a depth-first walk in node order)
// reversed, and which ones were.
func acyclic(n int, edges []Edge) ([]Edge, []bool) {
	out := slices.Clone(edges)
	reversed := make([]bool, len(edges))
	adj := make([][]int, n) // edge indexes by source
	for i, e := range edges {
		if e.From != e.To {
			adj[e.From] = append(adj[e.From], i)
		}
	}
	const (
		unvisited = iota
		onStack
		done
	)
	state := make([]int, n)
	type frame struct{ v, next int }
	for start := range n {
		if state[start] != unvisited {
			continue
		}
		stack := []frame{{v: start}}
		state[start] = onStack
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(adj[top.v]) {
				state[top.v] = done
				stack = stack[:len(stack)-1]
				continue
			}
			ei := adj[top.v][top.next]
			top.next++
			w := edges[ei].To
			switch state[w] {
			case onStack:
				out[ei] = Edge{From: edges[ei].To, To: edges[ei].From}
				reversed[ei] = true
			case unvisited:
				state[w] = onStack
				stack = append(stack, frame{v: w})
			}
		}
	}
	return out, reversed
}

// longestPath layers a DAG: every edge goes at least one layer forward. Sources are then
// pulled forward next to their nearest successor so they do not all pile up in layer 0.
func longestPath(n int, edges []Edge) []int {
	preds := make([][]int, n)
	succs := make([][]int, n)
	indeg := make([]int, n)
	for _, e := range edges {
		if e.From == e.To {
			continue
		}
		succs[e.From] = append(succs[e.From], e.To)
		preds[e.To] = append(preds[e.To], e.From)
		indeg[e.To]++
	}
	var topo []int
	queue := []int{}
	for v := range n {
		if indeg[v] == 0 {
			queue = append(queue, v)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		topo = append(topo, v)
		for _, w := range succs[v] {
			indeg[w]--
			if indeg[w] == 0 {
				queue = append(queue, w)
			}
		}
	}
	layer := make([]int, n)
	for _, v := range topo {
		for _, u := range preds[v] {
			layer[v] = max(layer[v], layer[u]+1)
		}
	}
	for i := len(topo) - 1; i >= 0; i-- {
		v := topo[i]
		if len(preds[v]) > 0 || len(succs[v]) == 0 {
			continue
		}
		m := math.MaxInt
		for _, w := range succs[v] {
			m = min(m, layer[w])
		}
		layer[v] = m - 1
	}
	lowest := slices.Min(layer)
	for v := range layer {
		layer[v] -= lowest
	}
	return layer
}

// orderLayers groups vertices by layer and orders each layer with barycentric sweeps,
// keeping the ordering with the fewest crossings.
func orderLayers(vs []vertex, iterations int, crossings *int) [][]int {
	depth := 0
	for _, v := range vs {
		depth = max(depth, v.layer+1)
	}
	layers := make([][]int, depth)
	for i, v := range vs {
		layers[v.layer] = append(layers[v.layer], i)
	}
	setOrder := func() {
		for _, ids := range layers {
			for o, v := range ids {
				vs[v].order = o
			}
		}
	}
	setOrder()
	best := cloneLayers(layers)
	bestCross := countCrossings(vs, layers)
	sweep := func(l int, down bool) {
		ids := layers[l]
		bary := make(map[int]float64, len(ids))
		for _, v := range ids {
			nb := vs[v].preds
			if !down {
				nb = vs[v].succs
			}
			if len(nb) == 0 {
				bary[v] = float64(vs[v].order)
				continue
			}
			sum := 0.0
			for _, u := range nb {
				sum += float64(vs[u].order)
			}
			// Scale neighbour ranks onto this layer's so fixed nodes keep their place.
			bary[v] = sum / float64(len(nb)) * float64(len(ids)) / float64(max(1, len(layers[vs[nb[0]].layer])))
		}
		slices.SortStableFunc(ids, func(a, b int) int {
			switch {
			case bary[a] < bary[b]:
				return -1
			case bary[a] > bary[b]:
				return 1
			}
			return vs[a].order - vs[b].order
		})
		for o, v := range ids {
			vs[v].order = o
		}
	}
	for it := 0; it < iterations && bestCross > 0; it++ {
		if it%2 == 0 {
			for l := 1; l < len(layers); l++ {
				sweep(l, true)
			}
		} else {
			for l := len(layers) - 2; l >= 0; l-- {
				sweep(l, false)
			}
		}
		if c := countCrossings(vs, layers); c < bestCross {
			bestCross, best = c, cloneLayers(layers)
		}
	}
	layers = best
	setOrder()
	*crossings = bestCross
	return layers
}

func cloneLayers(ls [][]int) [][]int {
	out := make([][]int, len(ls))
	for i, l := range ls {
		out[i] = slices.Clone(l)
	}
	return out
}

// countCrossings counts edge crossings between adjacent layers (orders in vs must be
// current), by counting inversions with a Fenwick tree.
func countCrossings(vs []vertex, layers [][]int) int {
	total := 0
	for l := 0; l+1 < len(layers); l++ {
		type pair struct{ a, b int }
		var ps []pair
		for _, u := range layers[l] {
			for _, w := range vs[u].succs {
				ps = append(ps, pair{vs[u].order, vs[w].order})
			}
		}
		slices.SortFunc(ps, func(x, y pair) int {
			if x.a != y.a {
				return x.a - y.a
			}
			return x.b - y.b
		})
		size := len(layers[l+1]) + 1
		tree := make([]int, size+1)
		seen := 0
		for _, p := range ps {
			// Edges seen so far whose lower end is right of this one's cross it.
			le := 0
			for i := p.b + 1; i > 0; i -= i & -i {
				le += tree[i]
			}
			total += seen - le
			for i := p.b + 1; i <= size; i += i & -i {
				tree[i]++
			}
			seen++
		}
	}
	return total
}

// placeAcross sets each vertex's position across the layer axis: packed in order, then
// pulled towards its neighbours' average in alternating sweeps, never closer than sep.
func placeAcross(vs []vertex, layers [][]int, sep float64, iterations int) {
	for _, ids := range layers {
		cursor := 0.0
		for i, v := range ids {
			if i > 0 {
				cursor += (vs[ids[i-1]].breadth+vs[v].breadth)/2 + sep
			}
			vs[v].pos = cursor
		}
	}
	// Centre the layers on each other before balancing.
	for _, ids := range layers {
		if len(ids) == 0 {
			continue
		}
		shift := (vs[ids[0]].pos + vs[ids[len(ids)-1]].pos) / 2
		for _, v := range ids {
			vs[v].pos -= shift
		}
	}
	for it := 0; it < iterations; it++ {
		down := it%2 == 0
		for k := range layers {
			l := k
			if !down {
				l = len(layers) - 1 - k
			}
			ids := layers[l]
			desired := make([]float64, len(ids))
			for i, v := range ids {
				nb := vs[v].preds
				if !down {
					nb = vs[v].succs
				}
				if len(nb) == 0 {
					desired[i] = vs[v].pos
					continue
				}
				sum := 0.0
				for _, u := range nb {
					sum += vs[u].pos
				}
				desired[i] = sum / float64(len(nb))
			}
			gap := func(i int) float64 { return (vs[ids[i]].breadth+vs[ids[i+1]].breadth)/2 + sep }
			// Two feasible placements, one pushing forward, one backward; their mean is
			// feasible too and does not drift to either side.
			fwd := make([]float64, len(ids))
			for i := range ids {
				fwd[i] = desired[i]
				if i > 0 {
					fwd[i] = math.Max(fwd[i], fwd[i-1]+gap(i-1))
				}
			}
			bwd := make([]float64, len(ids))
			for i := len(ids) - 1; i >= 0; i-- {
				bwd[i] = desired[i]
				if i < len(ids)-1 {
					bwd[i] = math.Min(bwd[i], bwd[i+1]-gap(i))
				}
			}
			for i, v := range ids {
				vs[v].pos = (fwd[i] + bwd[i]) / 2
			}
		}
	}
}

// clip moves p, the centre of a node, to where the segment towards q leaves its box.
func clip(p, q Point, nd Node) Point {
	dx, dy := q.X-p.X, q.Y-p.Y
	if dx == 0 && dy == 0 {
		return p
	}
	hw, hh := nd.Width/2, nd.Height/2
	t := math.Inf(1)
	if dx != 0 {
		t = math.Min(t, hw/math.Abs(dx))
	}
	if dy != 0 {
		t = math.Min(t, hh/math.Abs(dy))
	}
	t = math.Min(t, 1)
	return Point{X: p.X + dx*t, Y: p.Y + dy*t}
}

// round keeps coordinates to a tenth of a pixel, for compact and stable SVG.
func round(f float64) float64 { return math.Round(f*10) / 10 }
