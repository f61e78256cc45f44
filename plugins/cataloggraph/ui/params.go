package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
	"github.com/portico-dev/portico/plugins/cataloggraph/layout"
)

// Limits of the page's controls.
const (
	// maxDepthChoice is the deepest finite depth the page offers; "∞" goes further, bounded
	// by the node cap.
	maxDepthChoice = 10
	infinity       = "∞"
	// autoFitWidth is the widest graph the page scales down to its width by default; wider
	// ones would become unreadable and are drawn full size.
	autoFitWidth = 1800
)

// params is the state of a graph view, all of it in the URL with Backstage's parameter names
// (rootEntityRefs[], maxDepth, selectedKinds[], selectedRelations[], unidirectional,
// mergeRelations, direction, showFilters), so links made for Backstage open the same graph.
type params struct {
	Roots          []string
	MaxDepth       int // 0 is unlimited (∞)
	Kinds          []string
	Relations      []string
	Unidirectional bool
	MergeRelations bool
	Direction      layout.Direction
	ShowFilters    bool
	// Zoom is how the page draws its graph (not a Backstage parameter: its graph zooms with
	// the mouse): "fit" scales it to the width, "actual" draws it full size in a scrolling
	// box, "" fits graphs up to autoFitWidth wide and draws larger ones full size.
	Zoom string
}

// pageDefaults are Backstage's page defaults.
func pageDefaults() params {
	return params{MaxDepth: 0, Unidirectional: true, MergeRelations: true, Direction: layout.LeftRight, ShowFilters: true}
}

// values returns every value of a parameter written the ways qs writes arrays: name,
// name[] and name[0], name[1]…, in that order.
func values(q url.Values, name string) []string {
	out := slices.Clone(q[name])
	out = append(out, q[name+"[]"]...)
	var indexed []int
	for k := range q {
		if rest, ok := strings.CutPrefix(k, name+"["); ok {
			if i, err := strconv.Atoi(strings.TrimSuffix(rest, "]")); err == nil && strings.HasSuffix(rest, "]") {
				indexed = append(indexed, i)
			}
		}
	}
	slices.Sort(indexed)
	for _, i := range indexed {
		out = append(out, q[name+"["+strconv.Itoa(i)+"]"]...)
	}
	var clean []string
	for _, v := range out {
		for _, part := range strings.Split(v, ",") { // also accept a comma-separated list
			if part = strings.TrimSpace(part); part != "" && !slices.Contains(clean, part) {
				clean = append(clean, part)
			}
		}
	}
	return clean
}

// parseParams reads a view from the URL over defaults. Values that make no sense are
// reported in problems and replaced by the default, so a bad link still shows a graph.
func parseParams(q url.Values, def params) (params, []string) {
	p := def
	var problems []string
	if roots := values(q, "rootEntityRefs"); len(roots) > 0 {
		p.Roots = nil
		for _, r := range roots {
			c, err := graph.NormalizeRef(r)
			if err != nil {
				problems = append(problems, fmt.Sprintf("Root entity %q is not an entity reference (kind:namespace/name).", r))
				continue
			}
			p.Roots = append(p.Roots, c)
		}
	}
	if v := last(q, "maxDepth"); v != "" {
		switch d, err := strconv.Atoi(v); {
		case v == infinity || strings.EqualFold(v, "infinity") || strings.EqualFold(v, "inf"):
			p.MaxDepth = 0
		case err != nil || d < 1:
			problems = append(problems, fmt.Sprintf("Max depth %q must be a whole number of at least 1, or ∞.", v))
		default:
			p.MaxDepth = d
		}
	}
	if ks := append(values(q, "selectedKinds"), values(q, "kinds")...); len(ks) > 0 {
		p.Kinds = nil
		for _, k := range ks {
			k = strings.ToLower(k)
			if !slices.Contains(p.Kinds, k) {
				p.Kinds = append(p.Kinds, k)
			}
		}
	}
	if rs := append(values(q, "selectedRelations"), values(q, "relations")...); len(rs) > 0 {
		p.Relations = nil
		for _, r := range rs {
			if !slices.Contains(p.Relations, r) {
				p.Relations = append(p.Relations, r)
			}
		}
	}
	boolParam := func(name string, dst *bool) {
		switch v := last(q, name); v {
		case "":
		case "true":
			*dst = true
		case "false":
			*dst = false
		default:
			problems = append(problems, fmt.Sprintf("%s must be true or false, got %q.", name, v))
		}
	}
	boolParam("unidirectional", &p.Unidirectional)
	boolParam("mergeRelations", &p.MergeRelations)
	boolParam("showFilters", &p.ShowFilters)
	switch v := last(q, "zoom"); v {
	case "":
	case "fit", "actual":
		p.Zoom = v
	default:
		problems = append(problems, fmt.Sprintf("zoom must be fit or actual, got %q.", v))
	}
	if v := last(q, "direction"); v != "" {
		if d := layout.Direction(strings.ToUpper(v)); d.Valid() {
			p.Direction = d
		} else {
			problems = append(problems, fmt.Sprintf("Direction %q must be LR, RL, TB or BT.", v))
		}
	}
	return p, problems
}

// last returns the last value of a parameter: the page's checkboxes follow a hidden "false"
// with a checked "true" of the same name.
func last(q url.Values, name string) string {
	vs := q[name]
	if len(vs) == 0 {
		return ""
	}
	return strings.TrimSpace(vs[len(vs)-1])
}

// query writes the view as Backstage's page would, for links.
func (p params) query() url.Values {
	q := url.Values{}
	for _, r := range p.Roots {
		q.Add("rootEntityRefs[]", r)
	}
	if p.MaxDepth > 0 {
		q.Set("maxDepth", strconv.Itoa(p.MaxDepth))
	} else {
		q.Set("maxDepth", infinity)
	}
	for _, k := range p.Kinds {
		q.Add("selectedKinds[]", k)
	}
	for _, r := range p.Relations {
		q.Add("selectedRelations[]", r)
	}
	q.Set("unidirectional", strconv.FormatBool(p.Unidirectional))
	q.Set("mergeRelations", strconv.FormatBool(p.MergeRelations))
	q.Set("direction", string(p.Direction))
	if !p.ShowFilters {
		q.Set("showFilters", "false")
	}
	if p.Zoom != "" {
		q.Set("zoom", p.Zoom)
	}
	return q
}

// graphQuery is the graph the view asks for.
func (p params) graphQuery() graph.Query {
	return graph.Query{
		Roots: p.Roots, MaxDepth: p.MaxDepth, Kinds: p.Kinds, Relations: p.Relations,
		Unidirectional: p.Unidirectional, MergeRelations: p.MergeRelations,
	}
}
